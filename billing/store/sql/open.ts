import fs from 'node:fs';
import path from 'node:path';
import knexFactory from 'knex';
import type { Database } from './database';
import { parseDatabaseUrl } from './database-url';
import { PostgresDatabase } from './postgres';
import type { PostgresOptions } from './postgres';
import { SqliteDatabase } from './sqlite';
import type { SqliteOptions } from './sqlite';
import { migrationSource } from '../migrations/index';

/** Brings the schema up to date with knex migrations (the only place knex runs). */
export async function migrate(databaseUrl: string): Promise<string[]> {
  const target = parseDatabaseUrl(databaseUrl);
  if (target.kind === 'sqlite' && target.file !== ':memory:') fs.mkdirSync(path.dirname(target.file), { recursive: true });
  const knex = knexFactory(
    target.kind === 'sqlite'
      ? { client: 'better-sqlite3', connection: { filename: target.file }, useNullAsDefault: true }
      : { client: 'pg', connection: target.url, pool: { min: 0, max: 2 } },
  );
  try {
    const [, applied] = (await knex.migrate.latest({ migrationSource })) as [number, string[]];
    return applied;
  } finally {
    await knex.destroy();
  }
}

export function openDatabase(databaseUrl: string, options: PostgresOptions & { sqlite?: SqliteOptions } = {}): Database {
  const target = parseDatabaseUrl(databaseUrl);
  if (target.kind === 'sqlite') {
    if (target.file !== ':memory:') fs.mkdirSync(path.dirname(target.file), { recursive: true });
    return new SqliteDatabase(target.file, options.sqlite);
  }
  return new PostgresDatabase(target.url, options);
}
