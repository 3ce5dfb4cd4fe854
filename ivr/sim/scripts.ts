import { emitDtmf } from './channel-events';
import type { SimCore } from './core';
import type { CallerStep } from './far-end';
import { remoteHangup } from './hangup';
import type { SimChannel } from './model';

export const DEFAULT_DTMF_DURATION_MS = 120;
export const DEFAULT_DTMF_GAP_MS = 250;

/**
 * Sends DTMF as the far side of `ch` would: each digit lasts `duration_ms` and the next starts `gap_ms` later;
 * ChannelDtmfReceived is raised on `ch` at the end of each digit. Resolves after the last one.
 */
export function sendDtmf(core: SimCore, ch: SimChannel, digits: string, duration_ms = DEFAULT_DTMF_DURATION_MS, gap_ms = DEFAULT_DTMF_GAP_MS): Promise<void> {
  return new Promise((resolve) => {
    const chars = [...digits];
    const step = (i: number): void => {
      const digit = chars[i];
      if (digit === undefined || !ch.alive) {
        resolve();
        return;
      }
      core.after(duration_ms, () => {
        if (ch.alive) emitDtmf(core, ch, digit, duration_ms);
        if (i + 1 < chars.length) core.after(gap_ms, () => step(i + 1));
        else resolve();
      });
    };
    step(0);
  });
}

/** Runs a caller/far-end script from now (the moment of answer). */
export function runScript(core: SimCore, ch: SimChannel, steps: readonly CallerStep[]): void {
  for (const s of steps) {
    core.after(s.at_ms, () => {
      if ('dtmf' in s) void sendDtmf(core, ch, s.dtmf, s.duration_ms, s.gap_ms);
      else remoteHangup(core, ch);
    }, ch);
  }
}
