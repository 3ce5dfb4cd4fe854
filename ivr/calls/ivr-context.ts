import type { Billing } from '../../billing/billing';
import type { Logger } from '../../billing/shared/logger';
import type { Telephony } from '../ari/telephony';
import type { CallMetrics } from './call-metrics';
import type { IvrOptions } from './ivr-options';

/** What every session of one IVR process shares. */
export interface IvrContext {
  tel: Telephony;
  billing: Billing;
  options: IvrOptions;
  log: Logger;
  metrics: CallMetrics;
}
