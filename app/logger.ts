import pino from 'pino';
import type { LogFields, Logger } from '../billing/shared/logger';
import { redact, redactString } from './redact';

/**
 * The pino adapter: one JSON line per event ({"level","timestamp",…fields,"message"}). Everything a
 * caller passes is masked before pino sees it (the message, every field, a child's fields), so no
 * card number, PIN or API key reaches the stream whatever the caller logged.
 */
class PinoLogger implements Logger {
  private readonly p: pino.Logger;
  /**
   * A child is made from the root with its parent's fields merged in, so a field set again (a
   * `component` inside a `component`) appears once, with the inner value, as winston wrote it.
   */
  constructor(private readonly root: pino.Logger, private readonly fields: LogFields = {}) {
    this.p = Object.keys(fields).length === 0 ? root : root.child(redact(fields) as LogFields);
  }
  private write(level: 'debug' | 'info' | 'warn' | 'error', m: string, f: LogFields | undefined): void {
    if (!this.p.isLevelEnabled(level)) return;
    // A line repeating one of the child's fields is written from the root with the two merged (pino
    // would write the key twice).
    const clash = f !== undefined && Object.keys(f).some((k) => k in this.fields);
    const fields = clash ? { ...this.fields, ...f } : (f ?? {});
    (clash ? this.root : this.p)[level](redact(fields) as LogFields, redactString(m));
  }
  debug(m: string, f?: LogFields): void { this.write('debug', m, f); }
  info(m: string, f?: LogFields): void { this.write('info', m, f); }
  warn(m: string, f?: LogFields): void { this.write('warn', m, f); }
  error(m: string, f?: LogFields): void { this.write('error', m, f); }
  child(fields: LogFields): Logger { return new PinoLogger(this.root, { ...this.fields, ...fields }); }
}

/**
 * Structured JSON lines on stderr (stdout stays free for command output), or on `stream`. On stderr
 * the writes are asynchronous (sonic-boom): lines logged while one write is in flight leave
 * together in the next, and pino flushes what is pending when the process exits.
 */
export function createLogger(level: string, stream?: NodeJS.WritableStream): Logger {
  const p = pino({
    level,
    base: null, // no pid or hostname on every line
    messageKey: 'message',
    timestamp: () => `,"timestamp":"${new Date().toISOString()}"`,
    formatters: { level: (label) => ({ level: label }) },
    serializers: {}, // fields arrive masked, errors already plain objects (redact)
  }, stream ?? pino.destination({ dest: 2, sync: false }));
  return new PinoLogger(p);
}
