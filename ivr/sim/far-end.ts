/** What a scripted caller or an answered far end does, timed from the moment the call is answered. */
export type CallerStep =
  | { at_ms: number; dtmf: string; duration_ms?: number; gap_ms?: number }
  | { at_ms: number; hangup: true };

export type FarEndOutcome = 'answer' | 'busy' | 'congestion' | 'noanswer' | 'unallocated' | 'chanunavail' | 'stasis' | 'external';

/**
 * How the far end of an originated/dialled channel behaves.
 * - `answer`: rings `ring_ms` (0 = answers without a ringing indication), then answers; hangs up after
 *   `hangupAfter_ms` if given; may send DTMF through `script`.
 * - `busy` / `congestion` / `unallocated` (SIP 404) / `chanunavail`: fail after `ring_ms` (default 0).
 * - `noanswer`: rings until the dial timeout runs out (cause 19, as recorded).
 * - `external`: waits, as `noanswer` does, until the test drives it (AriSimulator.driveFarEnd): the far end is
 *   something real elsewhere, e.g. a SIP call through the edge and the drachtio-server double.
 * - `stasis`: a Local context whose dialplan runs `Stasis(<app>,${EXTEN})`: a channel originated into it with no
 *   `app` is a caller whose `;2` half enters Stasis from the dialplan, like `[acc-access]` in the recordings.
 */
export interface FarEnd {
  outcome: FarEndOutcome;
  /** For `stasis`: the app (default: the first registered one). */
  app?: string;
  ring_ms?: number;
  hangupAfter_ms?: number;
  script?: CallerStep[];
}

/** The dialled thing, parsed from the endpoint string. */
export interface DialTarget {
  technology: 'Local' | 'PJSIP';
  /** The endpoint string as given, e.g. `PJSIP/trunk/sip:12125551234@10.0.0.1` or `Local/123@pstn`. */
  endpoint: string;
  /** PJSIP endpoint name (`trunk`) or Local context (`pstn`). */
  resource: string;
  /** The dialled number/extension as far as it can be read from the endpoint. */
  number: string;
}

export type FarEndRule = (target: DialTarget) => FarEnd;

export const farEnds = {
  answer: (ring_ms = 0, hangupAfter_ms?: number): FarEnd => ({ outcome: 'answer', ring_ms, hangupAfter_ms }),
  busy: (ring_ms = 0): FarEnd => ({ outcome: 'busy', ring_ms }),
  congestion: (ring_ms = 0): FarEnd => ({ outcome: 'congestion', ring_ms }),
  noAnswer: (): FarEnd => ({ outcome: 'noanswer' }),
  external: (): FarEnd => ({ outcome: 'external' }),
  unallocated: (): FarEnd => ({ outcome: 'unallocated' }),
  chanUnavailable: (): FarEnd => ({ outcome: 'chanunavail' }),
  stasis: (app?: string): FarEnd => (app === undefined ? { outcome: 'stasis' } : { outcome: 'stasis', app }),
} as const;

/** Reads technology, resource and number from an ARI endpoint string; undefined when it is not Local or PJSIP. */
export function parseDialTarget(endpoint: string): DialTarget | undefined {
  const slash = endpoint.indexOf('/');
  const tech = endpoint.slice(0, slash);
  const rest = endpoint.slice(slash + 1);
  if (tech === 'Local') {
    const at = rest.indexOf('@');
    const exten = at === -1 ? rest : rest.slice(0, at);
    const context = at === -1 ? 'default' : rest.slice(at + 1).split('/')[0] ?? 'default';
    return { technology: 'Local', endpoint, resource: context, number: exten };
  }
  if (tech === 'PJSIP') {
    // PJSIP/<endpoint>, PJSIP/<endpoint>/sip:<user>@host, or PJSIP/<user>@<endpoint>
    const [first = '', ...more] = rest.split('/');
    if (more.length > 0) {
      const uri = more.join('/');
      const user = /^sips?:([^@;]+)@/.exec(uri)?.[1] ?? uri;
      return { technology: 'PJSIP', endpoint, resource: first, number: user };
    }
    const at = first.indexOf('@');
    if (at !== -1) return { technology: 'PJSIP', endpoint, resource: first.slice(at + 1), number: first.slice(0, at) };
    return { technology: 'PJSIP', endpoint, resource: first, number: '' };
  }
  return undefined;
}
