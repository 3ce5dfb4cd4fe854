/** A background loop (hold sweeper, mail outbox, IVR…) started and stopped with the process that runs it. */
export interface BackgroundTask {
  name: string;
  start(): Promise<void> | void;
  /** Finishes in-flight work, then resolves. */
  stop(): Promise<void>;
}
