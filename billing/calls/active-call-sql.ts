/**
 * `status = 'active'` for a statement that finds ONE call record by its id, written so that no
 * index can serve it: `(status = 'active') IS TRUE` (status is NOT NULL, so the two are the same).
 * Plainly written, PostgreSQL's generic plan, on statistics taken while few calls were active, takes
 * the index on call_records (status) to find "the active call with this id" and reads every active
 * call for it, on each metering move of every call (test/billing/one-statement-plans.test.ts).
 * The index stays for the statements that list active calls.
 */
export const activeCall = (alias = ''): string => `(${alias ? `${alias}.` : ''}status = 'active') IS TRUE`;
