import { Writable } from 'node:stream';
import winston from 'winston';
import type { LogFields, Logger } from '../billing/shared/logger';
import { redactField, redactString } from './redact';

/** Masks every line at the logger, whatever the caller passed. */
const mask = winston.format((info) => {
  const out = info as Record<string | symbol, unknown>;
  for (const key of Object.keys(out)) {
    if (key === 'level') continue;
    out[key] = key === 'message' && typeof out[key] === 'string' ? redactString(out[key] as string) : redactField(key, out[key]);
  }
  return info;
});

class WinstonLogger implements Logger {
  constructor(private readonly w: winston.Logger) {}
  debug(m: string, f?: LogFields): void { this.w.debug(m, f); }
  info(m: string, f?: LogFields): void { this.w.info(m, f); }
  warn(m: string, f?: LogFields): void { this.w.warn(m, f); }
  error(m: string, f?: LogFields): void { this.w.error(m, f); }
  child(fields: LogFields): Logger { return new WinstonLogger(this.w.child(fields)); }
}

/**
 * `out` with the lines of one event-loop turn written together: the first write of a turn corks it,
 * the turn's end uncorks it — one write(2) for every access-log line of the requests answered in
 * that turn instead of one each (a system call per line was a tenth of the API's time under load).
 * Lines still pending when the process exits are written then.
 */
let stderrPerTurn: Writable | undefined;
function writtenPerTurn(out: NodeJS.WriteStream): Writable {
  if (out === process.stderr && stderrPerTurn) return stderrPerTurn;
  let corked = false;
  const flush = () => {
    if (!corked) return;
    corked = false;
    out.uncork();
  };
  process.on('exit', flush);
  const w = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      if (!corked) {
        corked = true;
        out.cork();
        setImmediate(flush);
      }
      out.write(chunk);
      done();
    },
  });
  if (out === process.stderr) stderrPerTurn = w;
  return w;
}

/** Structured JSON lines on stderr (stdout stays free for command output), or on `stream`. */
export function createLogger(level: string, stream?: NodeJS.WritableStream): Logger {
  const w = winston.createLogger({
    level,
    format: winston.format.combine(mask(), winston.format.timestamp(), winston.format.json()),
    transports: [new winston.transports.Stream({ stream: stream ?? writtenPerTurn(process.stderr) })],
  });
  return new WinstonLogger(w);
}
