import { spawn } from 'node:child_process';
import { rename, rm } from 'node:fs/promises';

const TIMEOUT_MS = 30_000;

/**
 * Speaks `text` with espeak-ng and converts it with sox to Asterisk's native WAV: 8 kHz, 16-bit
 * signed, mono. Leading and trailing silence are trimmed, then 50 ms / 100 ms added back, so
 * prompts played back to back (the sayer's "twelve" "dollars") neither clip nor drag.
 * Writes to a temporary file and renames, so an interrupted run never leaves half a WAV.
 */
export async function synthesize(text: string, voice: string, outFile: string): Promise<void> {
  const tmpFile = `${outFile}.tmp`;
  const espeak = spawn('espeak-ng', ['-v', voice, '--stdout', '--stdin'], { stdio: ['pipe', 'pipe', 'pipe'] });
  const sox = spawn(
    'sox',
    ['-V1', '-D', '-t', 'wav', '-', '-r', '8000', '-b', '16', '-e', 'signed-integer', '-c', '1', '-t', 'wav', tmpFile,
      'silence', '1', '0.02', '0.5%', 'reverse', 'silence', '1', '0.02', '0.5%', 'reverse', 'pad', '0.05', '0.1'],
    { stdio: ['pipe', 'ignore', 'pipe'] },
  );
  // A broken pipe shows up as the process's exit status below; don't let it crash the run.
  espeak.stdin.on('error', () => undefined);
  sox.stdin.on('error', () => undefined);
  espeak.stdout.pipe(sox.stdin);
  espeak.stdin.end(text);
  try {
    await Promise.all([finished(espeak, 'espeak-ng'), finished(sox, 'sox')]);
    await rename(tmpFile, outFile);
  } catch (err) {
    espeak.kill();
    sox.kill();
    await rm(tmpFile, { force: true });
    throw err;
  }
}

function finished(child: ReturnType<typeof spawn>, name: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      if (stderr.length < 2000) stderr += chunk.toString();
    });
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`${name} took longer than ${TIMEOUT_MS} ms`));
    }, TIMEOUT_MS);
    child.on('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(err.code === 'ENOENT' ? new Error(`${name} is not installed (apt-get install espeak-ng sox)`) : err);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`${name} exited with ${code}: ${stderr.trim()}`));
    });
  });
}
