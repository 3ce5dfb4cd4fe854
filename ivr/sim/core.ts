import { EventEmitter } from 'node:events';
import type { EventBus } from './event-bus';
import type { IdSource } from './format';
import type { SimBridge, SimChannel, SimPlayback } from './model';
import type { ResolvedOptions } from './options';

/** One thing the simulator saw the app (or a caller) do, for tests and the web phone. */
export interface SimRecord {
  t_ms: number;
  kind: 'answer' | 'ring' | 'ring-stop' | 'play' | 'playback-started' | 'playback-finished' | 'playback-lost' | 'dtmf-received' | 'hangup'
    | 'originate' | 'create' | 'dial' | 'bridge-create' | 'bridge-add' | 'bridge-remove' | 'bridge-destroy' | 'set-var';
  channelId?: string;
  bridgeId?: string;
  playbackId?: string;
  mediaUri?: string;
  detail?: Record<string, unknown>;
}

/** Shared state of one simulated Asterisk: what the REST handlers and the engines work on. */
export class SimCore {
  readonly channels = new Map<string, SimChannel>();
  readonly bridges = new Map<string, SimBridge>();
  /** Bridges DELETE has destroyed (gone for REST) whose members have not left yet (bridgeTeardown_ms). */
  readonly departing = new Map<string, SimBridge>();
  /** Plays that raced a bridge teardown so far (see AriSimulatorOptions.racingPlayLost). */
  racingPlays = 0;
  readonly playbacks = new Map<string, SimPlayback>();
  /** Per target URI (`channel:<id>` / `bridge:<id>`): the current playback first, then the queued ones. */
  readonly playQueues = new Map<string, SimPlayback[]>();
  /** Per target URI: callbacks waiting until nothing plays there (addChannel waits for a running playback). */
  readonly idleWaiters = new Map<string, Array<() => void>>();
  readonly records: SimRecord[] = [];
  readonly observer = new EventEmitter().setMaxListeners(0);
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly startedAt_ms = Date.now();
  /** Bound on `records` so a long-running sandbox does not grow without limit. */
  private static readonly MAX_RECORDS = 10_000;

  constructor(readonly opts: ResolvedOptions, readonly ids: IdSource, readonly bus: EventBus) {}

  now(): Date {
    return new Date();
  }

  /** Runs `fn` after `sim_ms` simulated milliseconds (scaled by speed); owned timers die with their channel. */
  after(sim_ms: number, fn: () => void, owner?: SimChannel): NodeJS.Timeout {
    const timer: NodeJS.Timeout = setTimeout(() => {
      this.timers.delete(timer);
      owner?.timers.delete(timer);
      fn();
    }, Math.max(0, sim_ms / this.opts.speed));
    this.timers.add(timer);
    owner?.timers.add(timer);
    return timer;
  }

  cancel(timer: NodeJS.Timeout | undefined): void {
    if (timer === undefined) return;
    clearTimeout(timer);
    this.timers.delete(timer);
  }

  cancelAll(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  record(entry: Omit<SimRecord, 't_ms'>): void {
    const full: SimRecord = { t_ms: Date.now() - this.startedAt_ms, ...entry };
    if (this.records.length >= SimCore.MAX_RECORDS) this.records.shift();
    this.records.push(full);
    this.observer.emit('record', full);
  }

  liveChannel(id: string): SimChannel | undefined {
    const ch = this.channels.get(id);
    return ch?.alive ? ch : undefined;
  }
}
