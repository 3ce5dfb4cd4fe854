import type { ZodType } from 'zod';

export type Parsed<T> = { ok: true; data: T } | { ok: false; message: string };

/** Validates with a zod schema; the message names the fields but never echoes their values. */
export function validate<T>(schema: ZodType<T>, value: unknown, where = 'body'): Parsed<T> {
  const r = schema.safeParse(value);
  if (r.success) return { ok: true, data: r.data };
  const parts = r.error.issues.slice(0, 5).map((i) => {
    const path = i.path.length ? i.path.map(String).join('.') : where;
    return `${path}: ${i.message}`;
  });
  return { ok: false, message: parts.join('; ') };
}
