/**
 * Synthesises the IVR prompts from the catalogue (ivr/prompts/catalogue.ts):
 *
 *   npx tsx scripts/sounds/generate.ts [--lang en] [--force] [--sounds-dir DIR]
 *
 * For each language, writes sounds/<lang>/<id>.wav (espeak-ng → sox, 8 kHz 16-bit mono) for the
 * prompts whose text changed since sounds/<lang>/manifest.json was written (all with --force),
 * deletes WAVs no catalogue id owns, and rewrites the manifest. Needs espeak-ng and sox
 * (apt-get install espeak-ng sox). Exit status: 0 done, 1 synthesis failed, 2 bad arguments.
 */
import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { PROMPT_IDS, promptText } from '../../ivr/prompts/catalogue';
import { LANGUAGES, isLanguage } from '../../ivr/prompts/languages';
import type { Language } from '../../ivr/prompts/languages';
import { SOUNDS_DIR } from '../../ivr/prompts/sound-files';
import { buildManifest, parseManifest, planSounds } from './manifest';
import type { PromptSource } from './manifest';
import { synthesize } from './synthesize';
import { VOICES } from './voices';

const MAX_PARALLEL = Math.min(8, availableParallelism());

async function readOptional(file: string): Promise<string | null> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

/** Runs `work` over `items` with at most `limit` at a time. */
async function inParallel<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++] as T;
      await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

async function generateLanguage(lang: Language, soundsDir: string, force: boolean): Promise<void> {
  const dir = join(soundsDir, lang);
  await mkdir(dir, { recursive: true });
  const voice = VOICES[lang];
  const prompts: PromptSource[] = PROMPT_IDS.map((id) => ({ id, text: promptText(lang, id) }));
  const manifestFile = join(dir, 'manifest.json');
  const files = await readdir(dir);
  const plan = planSounds({
    prompts,
    voice,
    manifest: parseManifest(await readOptional(manifestFile)),
    wavFiles: new Set(files.filter((f) => f.endsWith('.wav'))),
    force,
  });
  const texts = new Map(prompts.map(({ id, text }) => [id, text]));
  await inParallel(plan.generate, MAX_PARALLEL, (id) => synthesize(texts.get(id) ?? '', voice, join(dir, `${id}.wav`)));
  await Promise.all(plan.remove.map((file) => rm(join(dir, file))));
  await Promise.all(files.filter((f) => f.endsWith('.wav.tmp')).map((f) => rm(join(dir, f), { force: true })));
  await writeFile(manifestFile, `${JSON.stringify(buildManifest(lang, voice, prompts), null, 2)}\n`);
  console.log(
    `${lang}: ${plan.generate.length} generated, ${plan.unchanged.length} unchanged, ${plan.remove.length} removed` +
      (plan.remove.length > 0 ? ` (${plan.remove.join(', ')})` : ''),
  );
}

async function main(argv: readonly string[]): Promise<number> {
  let options;
  try {
    options = parseArgs({
      args: [...argv],
      options: {
        lang: { type: 'string', multiple: true },
        force: { type: 'boolean', default: false },
        'sounds-dir': { type: 'string', default: SOUNDS_DIR },
        help: { type: 'boolean', default: false },
      },
    }).values;
  } catch (err) {
    console.error((err as Error).message);
    return 2;
  }
  if (options.help) {
    console.log('usage: npx tsx scripts/sounds/generate.ts [--lang en] [--force] [--sounds-dir DIR]');
    return 0;
  }
  const requested = options.lang ?? [...LANGUAGES];
  const unknown = requested.filter((l) => !isLanguage(l));
  if (unknown.length > 0) {
    console.error(`unknown language ${unknown.join(', ')} (known: ${LANGUAGES.join(', ')})`);
    return 2;
  }
  try {
    for (const lang of requested.filter(isLanguage)) await generateLanguage(lang, options['sounds-dir'], options.force);
  } catch (err) {
    console.error(`sound generation failed: ${(err as Error).message}`);
    return 1;
  }
  return 0;
}

process.exitCode = await main(process.argv.slice(2));
