import type { AriSimulator } from '../../ivr/sim/ari-simulator';
import type { SimRecord } from '../../ivr/sim/core';

const pct = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;

/**
 * What a caller waits for after keying: from the last DTMF of an input (as the simulator emits
 * it) to the app's next play request on that channel, overall and by what was keyed (the prompt
 * the input answered, which the caller's script tells with `keying`).
 */
export function dtmfLatency(sim: AriSimulator) {
  const lastDtmf = new Map<string, bigint>();
  const keyed = new Map<string, string>();
  const all: number[] = [];
  const byInput = new Map<string, number[]>();
  sim.on('dtmf', (e: { channelId: string }) => lastDtmf.set(e.channelId, process.hrtime.bigint()));
  sim.on('record', (r: SimRecord) => {
    if (r.kind !== 'play' || r.channelId === undefined) return;
    const t = lastDtmf.get(r.channelId);
    if (t === undefined) return;
    lastDtmf.delete(r.channelId);
    const ms = Number(process.hrtime.bigint() - t) / 1e6;
    all.push(ms);
    const input = keyed.get(r.channelId) ?? 'other';
    byInput.set(input, [...(byInput.get(input) ?? []), ms]);
  });
  return {
    /** The caller on `channelId` is answering `prompt`. */
    keying(channelId: string, prompt: string): void { keyed.set(channelId, prompt); },
    /** The report lines, and the overall p99. */
    report(): { lines: string[]; p99_ms: number } {
      const sorted = [...all].sort((a, b) => a - b);
      const p99_ms = pct(sorted, 99);
      const lines = [`  DTMF → next playback request: n=${sorted.length} p50 ${pct(sorted, 50).toFixed(1)} ms, p99 ${p99_ms.toFixed(1)} ms, max ${(sorted[sorted.length - 1] ?? NaN).toFixed(1)} ms (goal p99 < 50 ms)`];
      for (const [input, ms] of byInput) {
        const s = [...ms].sort((a, b) => a - b);
        lines.push(`    after ${input.padEnd(18)} n=${s.length} p50 ${pct(s, 50).toFixed(1)} ms, p99 ${pct(s, 99).toFixed(1)} ms`);
      }
      return { lines, p99_ms };
    },
  };
}
