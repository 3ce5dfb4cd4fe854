/** Time as domain code sees it: injectable so tests can use sinon fake timers or a fixed clock. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
