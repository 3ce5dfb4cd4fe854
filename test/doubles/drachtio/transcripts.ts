import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The drachtio-server recordings in ../shared/drachtio/transcripts (outside the repo; see its README.md). */

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

export const MISSING_TRANSCRIPTS = 'reference transcripts not found at ../shared/drachtio/transcripts (outside the repo); the drachtio fidelity checks need them';

export function drachtioTranscriptsDir(): string | undefined {
  const dir = path.resolve(repoRoot, '../shared/drachtio/transcripts');
  return existsSync(dir) ? dir : undefined;
}

/** Every recorded scenario folder, sorted. */
export function scenarioNames(): string[] {
  const dir = drachtioTranscriptsDir();
  if (!dir) return [];
  return readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort();
}

export type WireLine =
  | { dir: 'srf->server' | 'server->srf'; t_ms: number; conn: number; len: number; raw: string }
  | { dir: 'conn'; t_ms: number; conn: number; event: string }
  | { dir: 'app'; t_ms: number; event: string; data?: unknown }
  | { dir: 'note'; t_ms: number; text: string };

export function loadWire(scenario: string): WireLine[] {
  const dir = drachtioTranscriptsDir();
  if (!dir) throw new Error(MISSING_TRANSCRIPTS);
  return readFileSync(path.join(dir, scenario, 'wire.jsonl'), 'utf8').split('\n').filter((l) => l.trim() !== '').map((l, i) => {
    const parsed = JSON.parse(l) as WireLine;
    if (typeof parsed.t_ms !== 'number' || typeof parsed.dir !== 'string') throw new Error(`${scenario}/wire.jsonl:${i + 1}: not a transcript line`);
    return parsed;
  });
}

export interface SipLine { from: string; to: string; first_line: string; cseq: string; call_id: string }

/** The SIP packets of a scenario from timeline.txt (`SIP  uac -> drachtio  INVITE sip:… [CSeq 1 INVITE; …]`). */
export function loadSipTimeline(scenario: string): SipLine[] {
  const dir = drachtioTranscriptsDir();
  if (!dir) throw new Error(MISSING_TRANSCRIPTS);
  const out: SipLine[] = [];
  for (const line of readFileSync(path.join(dir, scenario, 'timeline.txt'), 'utf8').split('\n')) {
    const m = /^\s*[\d.]+\s+SIP\s+(\S+) -> (\S+)\s+(.*?)\s+\[CSeq ([^;\]]*); Call-ID ([^\]]*)\]/.exec(line);
    if (m) out.push({ from: m[1] as string, to: m[2] as string, first_line: m[3] as string, cseq: (m[4] as string).trim(), call_id: (m[5] as string).trim() });
  }
  return out;
}
