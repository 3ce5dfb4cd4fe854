import path from 'node:path';

export type DatabaseTarget = { kind: 'sqlite'; file: string } | { kind: 'pg'; url: string };

/** `sqlite:<path>` | `sqlite::memory:` | `postgres://…` / `postgresql://…`. */
export function parseDatabaseUrl(url: string): DatabaseTarget {
  if (url.startsWith('sqlite:')) {
    const file = url.slice('sqlite:'.length);
    if (!file) throw new Error('DATABASE_URL sqlite: needs a file path, e.g. sqlite:./data/prepaid.db');
    return { kind: 'sqlite', file: file === ':memory:' ? file : path.resolve(file) };
  }
  if (/^postgres(ql)?:\/\//.test(url)) return { kind: 'pg', url };
  throw new Error('DATABASE_URL must start with sqlite: or postgres://');
}
