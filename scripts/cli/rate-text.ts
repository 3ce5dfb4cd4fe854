import { formatMinor } from '../../billing/money/money';
import type { Rate } from '../../billing/rating/rate';
import { formatRatePerMinute } from '../../billing/rating/rate-csv';

export function rateText(r: Rate, currency: string): string {
  if (r.blocked) return `${r.prefix} ${r.destination}: BLOCKED`;
  return `${r.prefix} ${r.destination}: ${formatRatePerMinute(r.rate_per_minute_scaled, currency)} ${currency}/min, connect ${formatMinor(r.connect_fee_minor, currency)}, ` +
    `${r.initial_increment_s}/${r.increment_s} s, minimum ${formatMinor(r.min_charge_minor, currency)}`;
}

export const rateJson = (r: Rate, currency: string) => ({
  ...r,
  rate_per_minute: formatRatePerMinute(r.rate_per_minute_scaled, currency),
  connect_fee: formatMinor(r.connect_fee_minor, currency),
  minimum_charge: formatMinor(r.min_charge_minor, currency),
  currency,
});
