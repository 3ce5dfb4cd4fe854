import { Registry } from 'prom-client';
import { MemoryLogger } from '../../../billing/shared/logger';
import { systemClock } from '../../../billing/shared/clock';
import type { Clock } from '../../../billing/shared/clock';
import type { EdgeCarriers, EdgeRouting } from '../../../edge/edge-deps';
import type { AsteriskNode, EdgeConfig } from '../../../edge/edge-config';
import { EDGE_DEFAULTS } from '../../../edge/edge-config';
import { SipEdge } from '../../../edge/sip-edge';
import { DrachtioServerDouble } from '../../doubles/drachtio/drachtio-double';
import type { UasOptions } from '../../doubles/drachtio/peers';
import { ScriptedCaller, ScriptedUas } from '../../doubles/drachtio/peers';
import type { Timers } from '../../doubles/drachtio/sip-core';

export const SECRET = 'edge-test-secret';
/** The edge's SIP address on the double's network. */
export const EDGE_SIP = { host: '192.0.2.1', port: 5060 };

export interface EdgeHarnessOptions {
  routing: EdgeRouting & Partial<EdgeCarriers>;
  /** Where carriers come from (default: `routing`, when it is also the carriers fake). */
  carriers?: EdgeCarriers;
  /** The edge's clock (default: the system clock). */
  clock?: Clock;
  nodes?: AsteriskNode[];
  config?: (c: EdgeConfig) => EdgeConfig;
  timers?: Partial<Timers>;
}

/** The real SipEdge (real drachtio-srf) connected to the drachtio-server double, with scripted peers around it. */
export class EdgeHarness {
  readonly double: DrachtioServerDouble;
  edge!: SipEdge;
  readonly metrics = new Registry();
  readonly logger = new MemoryLogger();
  private readonly peers: Array<{ stop(): void }> = [];
  config!: EdgeConfig;

  constructor(private readonly opts: EdgeHarnessOptions) {
    this.double = new DrachtioServerDouble({ secret: SECRET, sip: EDGE_SIP, timers: opts.timers ?? {} });
  }

  async start(): Promise<this> {
    const admin = await this.double.start();
    const base: EdgeConfig = {
      drachtio: { host: admin.host, port: admin.port, secret: SECRET },
      nodes: this.opts.nodes ?? [{ host: '10.0.0.5', port: 5060, weight: 1 }, { host: '10.0.0.6', port: 5060, weight: 1 }],
      accessNumbers: [],
      outbound: { attemptTimeout_ms: 500, ringTimeout_ms: 5_000, maxAttempts: 5 },
      inbound: { ...EDGE_DEFAULTS.inbound, attemptTimeout_ms: 500 },
      health: { interval_ms: 200, timeout_ms: 150, failuresToDown: 2, successesToUp: 1 },
      reconnectMaxDelay_ms: 500,
      carriersRefresh_ms: 60_000,
    };
    this.config = this.opts.config ? this.opts.config(base) : base;
    const carriers = this.opts.carriers ?? (this.opts.routing as EdgeRouting & EdgeCarriers);
    this.edge = new SipEdge({ routing: this.opts.routing, carriers, clock: this.opts.clock ?? systemClock, logger: this.logger, metrics: this.metrics, config: this.config });
    await this.edge.start();
    await until(() => this.edge.ready, 5_000, 'edge connected');
    return this;
  }

  async stop(): Promise<void> {
    await this.edge.stop();
    for (const p of this.peers) p.stop();
    await this.double.stop();
  }

  /** A far end (carrier gateway or Asterisk node) at host:port. */
  uas(host: string, port: number, opts: UasOptions = {}): ScriptedUas {
    const p = new ScriptedUas(this.double.network, { host, port }, EDGE_SIP, opts).start();
    this.peers.push(p);
    return p;
  }

  /** A caller at host:port (an Asterisk node placing an outbound leg, or a carrier delivering an inbound call). */
  caller(host: string, port = 5062): ScriptedCaller {
    const p = new ScriptedCaller(this.double.network, { host, port }, EDGE_SIP).start();
    this.peers.push(p);
    return p;
  }

  async metricsText(): Promise<string> {
    return this.metrics.metrics();
  }
}

export async function until(cond: () => boolean, timeout_ms: number, what: string): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > timeout_ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
