/**
 * The chart of accounts. A posting moves value into (+) or out of (−) one account;
 * the postings of every entry sum to zero per currency.
 *   card:<id>                 stored value owed to the card holder (its balance)
 *   merchant:<id>:payable     owed to a merchant for captured payments
 *   telephony:revenue         earned from calls
 *   funding:sales             value issued by card sales (web shop, batches)
 *   funding:recharge          value added by recharges
 *   equity:adjustments        operator corrections
 *   income:breakage           value of expired cards
 */
export type AccountId = string;

export const cardAccount = (cardId: number): AccountId => `card:${cardId}`;
export const merchantPayable = (merchantId: number): AccountId => `merchant:${merchantId}:payable`;
export const TELEPHONY_REVENUE: AccountId = 'telephony:revenue';
export const FUNDING_SALES: AccountId = 'funding:sales';
export const FUNDING_RECHARGE: AccountId = 'funding:recharge';
export const EQUITY_ADJUSTMENTS: AccountId = 'equity:adjustments';
export const INCOME_BREAKAGE: AccountId = 'income:breakage';

export const ENTRY_KINDS = ['issue', 'sale', 'recharge', 'call_charge', 'capture', 'refund', 'adjustment', 'breakage', 'transfer'] as const;
export type EntryKind = (typeof ENTRY_KINDS)[number];

export interface Posting {
  account: AccountId;
  card_id: number | null;
  amount_minor: number;
  currency: string;
}

/** True when the postings sum to zero in every currency. */
export function isBalanced(postings: readonly Posting[]): boolean {
  const sums = new Map<string, number>();
  for (const p of postings) sums.set(p.currency, (sums.get(p.currency) ?? 0) + p.amount_minor);
  for (const v of sums.values()) if (v !== 0) return false;
  return postings.length >= 2;
}
