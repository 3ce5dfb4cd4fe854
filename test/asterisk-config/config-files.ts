import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseConf } from './conf-parser';
import type { ConfFile } from './conf-parser';

export const ASTERISK_CONFIG_DIR = fileURLToPath(new URL('../../asterisk-config/', import.meta.url));
export const DIALPLAN_DIR = fileURLToPath(new URL('../../dialplan/', import.meta.url));

/** Every .conf file the project ships, as paths. */
export function confFiles(): string[] {
  return [ASTERISK_CONFIG_DIR, DIALPLAN_DIR].flatMap((dir) =>
    readdirSync(dir).filter((f) => f.endsWith('.conf')).map((f) => join(dir, f)),
  );
}

export function readConfText(path: string): string {
  return readFileSync(path, 'utf8');
}

/** Parses a shipped config file, throwing with every bad line if it does not parse. */
export function loadConf(dir: string, name: string): ConfFile {
  const conf = parseConf(readConfText(join(dir, name)));
  if (conf.errors.length > 0) throw new Error(`${name}: ${JSON.stringify(conf.errors)}`);
  return conf;
}
