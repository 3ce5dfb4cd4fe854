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

/**
 * `calls` callers on the access number, every two sharing a card (`cardOf(i)`), each keying its
 * card number, PIN and a US destination as the prompts ask, and hanging up at "another call?";
 * placed in bursts of 50 every 100 ms. Resolves with the calls' ends once all are placed.
 */
export async function placeScriptedCalls(
  sim: AriSimulator, latency: ReturnType<typeof dtmfLatency>, calls: number, cardOf: (i: number) => { number: string; pin: string }, callerBase: number,
): Promise<Array<Promise<unknown>>> {
  const scripts = new Map<string, (prompt: string) => void>();
  sim.on('playback', (e: { type: string; channelId?: string; mediaUri: string }) => {
    if (e.type !== 'PlaybackStarted' || e.channelId === undefined) return;
    scripts.get(e.channelId)?.(e.mediaUri.slice(e.mediaUri.lastIndexOf('/') + 1));
  });
  const ended: Array<Promise<unknown>> = [];
  for (let i = 0; i < calls; i++) {
    const card = cardOf(i);
    const call = sim.placeInboundCall({ callerNumber: `+1555${String(callerBase + i)}`, accessNumber: '8005550100', args: ['access', '8005550100'] });
    scripts.set(call.channelId, (prompt) => {
      latency.keying(call.channelId, prompt);
      if (prompt === 'enter_card_number') void call.sendDtmf(`${card.number}#`);
      else if (prompt === 'enter_pin') void call.sendDtmf(`${card.pin}#`);
      else if (prompt === 'enter_destination') void call.sendDtmf('2125551234#');
      else if (prompt === 'another_call') call.hangup();
    });
    ended.push(call.ended);
    if (i % 50 === 49) await new Promise((r) => setTimeout(r, 100));
  }
  return ended;
}
