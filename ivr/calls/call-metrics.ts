/** What the call flow reports; ivr/call-metrics-prom.ts implements it with prom-client. */
export type CallOutcome = 'completed' | 'cut_off' | 'busy' | 'no_answer' | 'congestion' | 'failed' | 'cancelled' | 'reconciled';

export interface CallMetrics {
  sessionStarted(): void;
  sessionEnded(): void;
  callEnded(outcome: CallOutcome, billed_s: number): void;
}

