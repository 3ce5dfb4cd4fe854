import { randomBytes, randomUUID } from 'node:crypto';

/** Identifiers shaped like the ones drachtio-server / sofia-sip generate (see transcripts/README.md, Ids). */

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function alnum(n: number): string {
  const bytes = randomBytes(n);
  let s = '';
  for (const b of bytes) s += ALNUM[b % ALNUM.length];
  return s;
}

/** Message and transaction ids: UUID v4. */
export const uuid = (): string => randomUUID();

/** sofia's tags are 13 characters (`a3NpccF507SNN`). */
export const newTag = (): string => alnum(13);

/** Via branches: `z9hG4bK` + 13 characters. */
export const newBranch = (): string => `z9hG4bK${alnum(13)}`;

/** sofia's Call-IDs look like `0ba91756-6671-1240-4d87-2a801a3d1aca`: a varying first group, a fixed per-process tail. */
export function callIdFactory(): () => string {
  const tail = `${randomBytes(2).toString('hex')}-${randomBytes(2).toString('hex')}-${randomBytes(2).toString('hex')}-${randomBytes(6).toString('hex')}`;
  return () => `${randomBytes(4).toString('hex')}-${tail}`;
}

/** The `time` field: the server's local time of day, `HH:MM:SS.micro`. */
export function timeOfDay(d = new Date()): string {
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds() * 1000 + Math.floor(Math.random() * 1000), 6)}`;
}
