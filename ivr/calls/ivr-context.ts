import type { Billing } from '../../billing/billing';
import type { Logger } from '../../billing/shared/logger';
import type { Telephony } from '../ari/telephony';
import type { BalanceWatch } from './balance-watch';
import type { CallMetrics } from './call-metrics';
import type { IvrOptions } from './ivr-options';

/** What IvrApp is given (by ivr/mount.ts, tests and the bench). */
export interface IvrAppDeps {
  tel: Telephony;
  billing: Billing;
  options: IvrOptions;
  log: Logger;
  metrics: CallMetrics;
}

/** What every session of one IVR process shares: its deps, and what IvrApp builds from them. */
export interface IvrContext extends IvrAppDeps {
  /** The available balance of the cards of live calls, polled for the whole process. */
  balances: BalanceWatch;
}
