import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** One line of a recorded `.jsonl` transcript (see /work/shared/asterisk-ari/transcripts/README.md). */
export type TranscriptLine =
  | { dir: 'event'; t_ms: number; conn: number; event: AriEvent }
  | { dir: 'request'; t_ms: number; id: number; method: string; path: string; query: Record<string, string | string[]>; body: unknown; auth?: string }
  | { dir: 'response'; t_ms: number; id: number; status: number; body: unknown; content_type: string | null; raw?: string }
  | { dir: 'ws'; t_ms: number; conn: number; action: string; url?: string; query?: Record<string, string>; headers?: Record<string, string>; status?: number; code?: number }
  | { dir: 'note'; t_ms: number; text: string };

export type AriEvent = Record<string, unknown> & { type: string };

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/**
 * The recorded transcripts, or undefined when the reference folder is not there (it is not part of the project).
 * `ARI_TRANSCRIPTS_DIR` points elsewhere (the test that proves a missing folder fails under CI=true uses it).
 */
export function transcriptsDir(): string | undefined {
  const dir = process.env.ARI_TRANSCRIPTS_DIR ?? path.join(path.resolve(repoRoot, '../shared/asterisk-ari'), 'transcripts');
  return existsSync(dir) ? dir : undefined;
}

export const MISSING_TRANSCRIPTS = 'reference transcripts not found at ../shared/asterisk-ari/transcripts (outside the repo); fidelity checks need them';

/** Skips the test (with the reason in its title) when the transcripts are missing; under CI=true that is a failure. */
export function requireTranscripts(ctx: Mocha.Context): string {
  const dir = transcriptsDir();
  if (dir) return dir;
  if (process.env.CI === 'true') throw new Error(`${MISSING_TRANSCRIPTS} (CI=true requires them: the simulator is checked against them)`);
  ctx.skip();
}

export function loadTranscript(name: string): TranscriptLine[] {
  const dir = transcriptsDir();
  if (!dir) throw new Error(MISSING_TRANSCRIPTS);
  return readFileSync(path.join(dir, name), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l, i) => {
      const parsed = JSON.parse(l) as TranscriptLine;
      if (typeof parsed.t_ms !== 'number' || typeof parsed.dir !== 'string') throw new Error(`${name}:${i + 1}: not a transcript line`);
      return parsed;
    });
}
