import { expect } from 'chai';
import { SliceSizer } from '../../billing/batches/slice-sizer';

/** Bulk-load slices are sized by time: the write lock is held about the target, whatever the machine. */
describe('SliceSizer (pure)', () => {
  const rows = (s: SliceSizer, times: Array<[number]>) => times.map(([ms]) => { const n = s.rows; s.record(n, ms); return s.rows; });

  it('moves toward target / measured time, at most ×2 or ÷2 a step, within its bounds', () => {
    const s = new SliceSizer(20, 50, 2000, 500);
    // 500 rows took 80 ms: 4× too slow → halve (not quarter); then 250 took 40 ms → 125; 125 took 20 ms → stays.
    expect(rows(s, [[80], [40], [20]])).to.deep.equal([250, 125, 125]);
    // A fast disk: 125 rows in 2 ms → doubles per step, up to the maximum.
    expect(rows(s, [[2], [2], [2], [2], [2], [2]])).to.deep.equal([250, 500, 1000, 2000, 2000, 2000]);
    // A stall (a 2 s fsync) never goes below the minimum.
    expect(rows(s, [[2000], [2000], [2000], [2000], [2000], [2000], [2000]]).at(-1)).to.equal(50);
  });

  it('ignores measurements that mean nothing', () => {
    const s = new SliceSizer(20, 50, 2000, 500);
    s.record(0, 10);
    s.record(10, Number.NaN);
    expect(s.rows).to.equal(500);
  });
});
