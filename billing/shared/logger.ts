/** The one logging interface domain code sees. The pino adapter lives in app/logger.ts. */
export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  /** A logger that adds these fields (e.g. call_id, request_id) to every line. */
  child(fields: LogFields): Logger;
}

/** Collects lines in memory: for tests, and as a quiet default. */
export class MemoryLogger implements Logger {
  constructor(
    readonly lines: Array<{ level: string; message: string; fields: LogFields }> = [],
    private readonly base: LogFields = {},
  ) {}
  private push(level: string, message: string, fields?: LogFields): void {
    this.lines.push({ level, message, fields: { ...this.base, ...fields } });
  }
  debug(m: string, f?: LogFields): void { this.push('debug', m, f); }
  info(m: string, f?: LogFields): void { this.push('info', m, f); }
  warn(m: string, f?: LogFields): void { this.push('warn', m, f); }
  error(m: string, f?: LogFields): void { this.push('error', m, f); }
  child(fields: LogFields): Logger { return new MemoryLogger(this.lines, { ...this.base, ...fields }); }
}

export const silentLogger: Logger = {
  debug() {}, info() {}, warn() {}, error() {},
  child() { return silentLogger; },
};
