import { randomFillSync } from 'node:crypto';

const ID_BYTES = 12;
/** CSPRNG bytes drawn 4 kB at a time (one call to the generator per ~340 ids instead of one each). */
const pool = Buffer.alloc(4096 - (4096 % ID_BYTES));
let offset = pool.length;

/** Opaque, unguessable ids with a type prefix: `auth_3kQ…`, `call_…`, `re_…`. */
export function newId(prefix: string): string {
  if (offset + ID_BYTES > pool.length) {
    randomFillSync(pool);
    offset = 0;
  }
  const id = pool.toString('base64url', offset, offset + ID_BYTES);
  offset += ID_BYTES;
  return `${prefix}_${id}`;
}
