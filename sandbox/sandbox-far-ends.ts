import type { AriSimulator } from '../ivr/sim/ari-simulator';
import type { DialTarget, FarEnd } from '../ivr/sim/far-end';
import { farEnds } from '../ivr/sim/far-end';

/** How long a sandbox far end rings before it answers or fails (simulated ms). */
export const SANDBOX_RING_MS = 3_000;
/** The "answers, then hangs up" test number talks this long. */
export const SANDBOX_SHORT_CALL_MS = 20_000;

export interface SandboxTestNumber {
  /** The dialled number ends with these digits. */
  suffix: string;
  outcome: string;
  farEnd: () => FarEnd;
}

/**
 * What the far end of a dialled number does in the sandbox, by the number's last four digits.
 * Every other number rings for 3 s, answers and talks until someone hangs up (or the money runs out).
 */
export const SANDBOX_TEST_NUMBERS: readonly SandboxTestNumber[] = [
  { suffix: '0002', outcome: 'busy', farEnd: () => farEnds.busy(SANDBOX_RING_MS / 3) },
  { suffix: '0003', outcome: 'rings, never answers (no answer)', farEnd: () => farEnds.noAnswer() },
  { suffix: '0004', outcome: 'network congestion', farEnd: () => farEnds.congestion(SANDBOX_RING_MS / 3) },
  { suffix: '0005', outcome: 'answers, then hangs up after 20 seconds', farEnd: () => farEnds.answer(SANDBOX_RING_MS, SANDBOX_SHORT_CALL_MS) },
];

export function sandboxFarEnd(target: DialTarget): FarEnd {
  const digits = target.number.replace(/\D/g, '');
  const rule = SANDBOX_TEST_NUMBERS.find((t) => digits.endsWith(t.suffix));
  return rule ? rule.farEnd() : farEnds.answer(SANDBOX_RING_MS);
}

/** Installs the sandbox far ends on the simulator (every later outbound leg follows them). */
export function installSandboxFarEnds(simulator: AriSimulator): void {
  simulator.setFarEnd(sandboxFarEnd);
}
