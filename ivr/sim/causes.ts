/** Q.850 hangup causes as Asterisk names them in `cause_txt`. */
export const CAUSE_TEXT: Readonly<Record<number, string>> = Object.freeze({
  0: 'Unknown',
  1: 'Unallocated (unassigned) number',
  3: 'No route to destination',
  16: 'Normal Clearing',
  17: 'User busy',
  18: 'No user responding',
  19: 'User alerting, no answer',
  20: 'Subscriber absent',
  21: 'Call Rejected',
  26: 'Answered elsewhere',
  27: 'Destination out of order',
  34: 'Circuit/channel congestion',
  38: 'Network out of order',
  127: 'Interworking, unspecified',
});

export function causeText(cause: number): string {
  return CAUSE_TEXT[cause] ?? 'Unknown';
}

/** `DELETE /channels/{id}?reason=` names and the cause each one gives (hangup-reasons.jsonl). */
export const HANGUP_REASONS: Readonly<Record<string, number>> = Object.freeze({
  normal: 16,
  busy: 17,
  congestion: 34,
  no_answer: 19,
  answered_elsewhere: 26,
  timeout: 18,
  rejected: 21,
  unallocated: 1,
});

/** The ARI soft-hangup flag AST_SOFTHANGUP_EXPLICIT, reported as `cause` on an app-side DELETE. */
export const SOFTHANGUP_EXPLICIT = 32;
