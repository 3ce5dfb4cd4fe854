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

/** Structured JSON lines on stderr (stdout stays free for command output). */
export function createLogger(level: string, stream?: NodeJS.WritableStream): Logger {
  const w = winston.createLogger({
    level,
    format: winston.format.combine(mask(), winston.format.timestamp(), winston.format.json()),
    transports: [stream ? new winston.transports.Stream({ stream }) : new winston.transports.Console({ stderrLevels: ['error', 'warn', 'info', 'debug'] })],
  });
  return new WinstonLogger(w);
}
