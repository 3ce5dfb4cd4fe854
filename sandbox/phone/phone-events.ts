/** What the browser is told about its call, in order, over Server-Sent Events. */
export type PhoneEvent =
  /** The inbound call: `ringing` until the IVR answers, `answered`, then `ended`. */
  | { type: 'call'; state: 'ringing' | 'answered'; access_number: string; caller_number: string }
  /** A prompt started on the caller's channel (or the bridge it is in). `url` is null for non-catalogue media. */
  | { type: 'prompt'; key: string; lang: string | null; id: string | null; text: string; url: string | null; duration_ms: number | null }
  /** The IVR stopped a prompt early (the caller pressed a key): the browser stops it too. */
  | { type: 'prompt-cut'; key: string }
  /** A keypad digit the IVR received. */
  | { type: 'dtmf'; digit: string }
  /** The outbound leg to the dialled number. */
  | { type: 'leg'; state: 'dialling' | 'ringing' | 'connected' | 'ended'; outcome?: string }
  /** Live metering read from the call record, the card and the outbound channel's absolute timeout. */
  | {
    type: 'meter'; destination: string | null; destination_name: string | null; currency: string | null;
    connected_s: number | null; time_left_s: number | null; cost_so_far: string | null; balance: string | null;
    status: string; final_cost: string | null; hangup_cause: string | null;
  }
  | { type: 'ended'; by: 'caller' | 'app' | 'timeout'; cause: number; reason: string };

/** Q.850 causes as a person would read them on the phone screen. */
export function causeReason(cause: number): string {
  switch (cause) {
    case 16: return 'normal hang-up';
    case 17: return 'busy';
    case 18:
    case 19: return 'no answer';
    case 1: return 'number does not exist';
    case 20: return 'unreachable';
    case 34: return 'network congestion';
    case 127: return 'cancelled';
    default: return `cause ${cause}`;
  }
}
