import { createHash } from 'node:crypto';

/**
 * `sounds/<lang>/manifest.json`: which text (and synthesis settings) each committed WAV was made
 * from, so the generator redoes only what changed and the tests can tell a stale WAV.
 */
export interface SoundManifest {
  readonly language: string;
  readonly voice: string;
  readonly synthesis: string;
  /** id → the text spoken and the hash of (synthesis, voice, text). Sorted by id. */
  readonly prompts: Readonly<Record<string, { readonly text: string; readonly sha256: string }>>;
}

/** Bump when the espeak-ng / sox pipeline changes, so every WAV is made again. */
export const SYNTHESIS = 'espeak-ng | sox: 8000 Hz, 16-bit signed, mono; silence trimmed; 50 ms lead, 100 ms tail (v1)';

export function promptHash(voice: string, text: string): string {
  return createHash('sha256').update(`${SYNTHESIS}\n${voice}\n${text}`).digest('hex');
}

export interface PromptSource {
  readonly id: string;
  readonly text: string;
}

export interface SoundPlan {
  /** Ids whose WAV is missing, or made from another text, voice or pipeline (all of them with force). */
  readonly generate: readonly string[];
  readonly unchanged: readonly string[];
  /** WAV file names in the folder that no catalogue id owns. */
  readonly remove: readonly string[];
}

/** Decides what to do for one language. Pure: the caller lists the folder and reads the manifest. */
export function planSounds(input: {
  readonly prompts: readonly PromptSource[];
  readonly voice: string;
  readonly manifest: SoundManifest | null;
  readonly wavFiles: ReadonlySet<string>;
  readonly force: boolean;
}): SoundPlan {
  const generate: string[] = [];
  const unchanged: string[] = [];
  for (const { id, text } of input.prompts) {
    const recorded = input.manifest?.prompts[id];
    const fresh = recorded !== undefined && recorded.sha256 === promptHash(input.voice, text) && input.wavFiles.has(`${id}.wav`);
    (fresh && !input.force ? unchanged : generate).push(id);
  }
  const owned = new Set(input.prompts.map(({ id }) => `${id}.wav`));
  const remove = [...input.wavFiles].filter((file) => !owned.has(file)).sort();
  return { generate, unchanged, remove };
}

export function buildManifest(language: string, voice: string, prompts: readonly PromptSource[]): SoundManifest {
  const sorted = [...prompts].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return {
    language,
    voice,
    synthesis: SYNTHESIS,
    prompts: Object.fromEntries(sorted.map(({ id, text }) => [id, { text, sha256: promptHash(voice, text) }])),
  };
}

/** Reads a manifest's JSON; null when absent or not a manifest (everything is then made again). */
export function parseManifest(json: string | null): SoundManifest | null {
  if (json === null) return null;
  try {
    const value: unknown = JSON.parse(json);
    if (typeof value !== 'object' || value === null || !('prompts' in value)) return null;
    const prompts = (value as { prompts: unknown }).prompts;
    return typeof prompts === 'object' && prompts !== null ? (value as SoundManifest) : null;
  } catch {
    return null;
  }
}
