import { randomBytes } from 'node:crypto';

/** Opaque, unguessable ids with a type prefix: `auth_3kQ…`, `call_…`, `re_…`. */
export const newId = (prefix: string): string => `${prefix}_${randomBytes(12).toString('base64url')}`;
