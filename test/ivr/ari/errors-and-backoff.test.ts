import { expect } from 'chai';
import { backoffDelay_ms, DEFAULT_BACKOFF } from '../../../ivr/ari/backoff';
import { statusFromCause } from '../../../ivr/ari/dial-result';
import { toAriError } from '../../../ivr/ari/errors';
import { withTimeout } from '../../../ivr/ari/with-timeout';

describe('toAriError: Asterisk error answers (errors.jsonl) to stable codes', () => {
  const table: Array<[string, string]> = [
    ['{"message":"Channel not found"}', 'ari_not_found'],
    ['{"message":"Bridge not found"}', 'ari_not_found'],
    ['{"message":"Playback not found"}', 'ari_not_found'],
    ['{"message":"Event source does not exist"}', 'ari_not_found'],
    ['{"message":"Channel not in Stasis application"}', 'ari_not_in_stasis'],
    ["{\"message\":\"Channel is not in the 'Down' state\"}", 'ari_conflict'],
    ['{"message":"Channel with given unique ID already exists"}', 'ari_conflict'],
    ["{\"message\":\"Bridge with id 'b1' already exists\"}", 'ari_conflict'],
    ['{"message":"Channel not in this bridge"}', 'ari_conflict'],
    ['{"message":"Authentication required"}', 'ari_unauthorized'],
    ['{"error":"Allocation failed"}', 'ari_allocation_failed'],
    ['{"message":"Endpoint must be specified"}', 'ari_bad_request'],
    ['{"message":"Invalid reason for hangup reason provided"}', 'ari_bad_request'],
    ['{"message":"Missing parameter channel"}', 'ari_bad_request'],
    ['{"message":"Failed to queue media for playback"}', 'ari_error'],
  ];
  for (const [body, code] of table) {
    it(`${body} → ${code}`, () => {
      expect(toAriError(new Error(body), 'op').code).to.equal(code);
    });
  }
  it('a swagger "required path param" string → ari_bad_request; a refused connection → ari_unavailable', () => {
    expect(toAriError('channelId is a required path param.', 'op').code).to.equal('ari_bad_request');
    expect(toAriError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), 'op').code).to.equal('ari_unavailable');
  });
});

describe('withTimeout', () => {
  it('rejects with ari_timeout when the work never settles', async () => {
    const err = await withTimeout(new Promise(() => {}), 20, 'never').then(() => undefined, (e: unknown) => e);
    expect(err).to.include({ code: 'ari_timeout' });
  });
  it('passes results and errors through', async () => {
    expect(await withTimeout(Promise.resolve(7), 100, 'x')).to.equal(7);
    const err = await withTimeout(Promise.reject(new Error('boom')), 100, 'x').then(() => undefined, (e: unknown) => e);
    expect((err as Error).message).to.equal('boom');
  });
});

describe('backoffDelay_ms', () => {
  it('grows exponentially and stays within the cap, jitter only taking off up to 20 %', () => {
    const policy = { ...DEFAULT_BACKOFF, initialDelay_ms: 100, maxDelay_ms: 1000 };
    expect([1, 2, 3, 4, 5, 50].map((a) => backoffDelay_ms(policy, a, () => 0))).to.deep.equal([100, 200, 400, 800, 1000, 1000]);
    expect(backoffDelay_ms(policy, 50, () => 1)).to.equal(800);
  });
});

describe('statusFromCause', () => {
  it('maps the recorded causes of legs that never answered', () => {
    expect([19, 17, 34, 1, 20, 0, 16].map(statusFromCause)).to.deep.equal(['NOANSWER', 'BUSY', 'CONGESTION', 'CHANUNAVAIL', 'CHANUNAVAIL', 'FAILED', 'FAILED']);
  });
});
