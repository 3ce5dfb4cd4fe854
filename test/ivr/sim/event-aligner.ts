import { idsOf, isSignificant, shapeOf, signature } from './event-shape';
import type { AriEvent } from './transcripts';

/** Recorded events within this many ms of the previous one form a burst whose order may vary between runs. */
export const BURST_GAP_MS = 3;

interface RecordedEvent { event: AriEvent; t_ms: number; burst: number; sig: string; matched: boolean }

export interface Mismatch { position: number; expected: string[]; got: string }

/**
 * Pairs the simulator's significant events, as they arrive, with the recorded ones: burst by burst, in any order
 * within a burst (as intra-millisecond order varies in Asterisk itself), by signature. Every pair's ids feed the
 * recorded→simulated id map, and every pair's key shapes are compared.
 */
export class EventAligner {
  private readonly recorded: RecordedEvent[] = [];
  private cursor = 0;
  readonly mismatches: Mismatch[] = [];
  readonly shapeDiffs: string[] = [];
  readonly extra: string[] = [];
  simCount = 0;

  constructor(events: Array<{ event: AriEvent; t_ms: number }>, private readonly onPair: (recordedId: string, simId: string) => void) {
    let burst = -1;
    let last = -Infinity;
    for (const { event, t_ms } of events.filter((e) => isSignificant(e.event))) {
      if (t_ms - last > BURST_GAP_MS) burst += 1;
      last = t_ms;
      this.recorded.push({ event, t_ms, burst, sig: signature(event), matched: false });
    }
  }

  get recordedCount(): number {
    return this.recorded.length;
  }

  /** Feeds one simulator event (noise is ignored here). */
  push(simEvent: AriEvent): void {
    if (!isSignificant(simEvent)) return;
    const position = this.simCount++;
    const here = this.recorded[this.cursor];
    if (!here) {
      this.extra.push(signature(simEvent));
      return;
    }
    const burst = this.recorded.filter((r) => r.burst === here.burst);
    const sig = signature(simEvent);
    const match = burst.find((r) => !r.matched && r.sig === sig);
    if (match) {
      match.matched = true;
      idsOf(match.event).forEach((id, i) => {
        const simId = idsOf(simEvent)[i];
        if (id && simId) this.onPair(id, simId);
      });
      const a = shapeOf(match.event);
      const b = shapeOf(simEvent);
      if (a !== b) this.shapeDiffs.push(`${sig}\n    recorded:  ${a}\n    simulated: ${b}`);
    } else {
      const open = burst.find((r) => !r.matched);
      if (open) open.matched = true;
      this.mismatches.push({ position, expected: burst.filter((r) => r.matched === false || r === open).map((r) => r.sig), got: sig });
    }
    while (this.recorded[this.cursor]?.matched) this.cursor += 1;
  }

  /** A readable report of both sequences, for failure messages. */
  report(simSigs: string[]): string {
    const rec = this.recorded.map((r) => `  [b${r.burst}] ${r.sig}`).join('\n');
    const sim = simSigs.map((s) => `  ${s}`).join('\n');
    return `recorded:\n${rec}\nsimulated:\n${sim}`;
  }
}
