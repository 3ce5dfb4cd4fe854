import type { Logger } from '../billing/shared/logger';
import type { CallerLeg } from './calls/legs';
import { NodePool } from './core/node-pool';
import { SourceMatcher } from './core/source-matcher';
import type { EdgeDeps } from './edge-deps';
import { routeInbound } from './inbound/inbound-router';
import { InboundAdmission } from './inbound/inbound-admission';
import type { EdgeMetrics } from './metrics/edge-metrics';
import { promEdgeMetrics } from './metrics/prom-edge-metrics';
import { CarrierCapacity } from './outbound/carrier-capacity';
import { routeOutbound } from './outbound/outbound-router';
import { SrfSipServer } from './srf/srf-sip-server';

export interface EdgeStatus {
  /** Connected to drachtio-server. */
  connected: boolean;
  /** Carriers' sources loaded at least once (until then inbound calls are refused). */
  carriersLoaded: boolean;
  nodes: Array<{ name: string; weight: number; up: boolean; active: number }>;
}

const ALLOW = 'INVITE, ACK, CANCEL, BYE, OPTIONS, INFO';

/**
 * The SIP edge (`prepaid serve --roles sip-edge`): a B2BUA on drachtio-srf between the carriers and the
 * Asterisk nodes. INVITEs from a node are routed out through the ranked carriers (outbound/); INVITEs from a
 * carrier's source go in to a healthy node (inbound/); anyone else gets 403. OPTIONS from known sources are
 * answered 200, REGISTER is refused. Nodes are probed with OPTIONS; carriers' sources are re-read periodically.
 */
export class SipEdge {
  private readonly log: Logger;
  private readonly metrics: EdgeMetrics;
  private readonly nodes: NodePool;
  private readonly sources: SourceMatcher;
  private readonly server: SrfSipServer;
  private readonly capacity = new CarrierCapacity();
  private readonly admission: InboundAdmission;
  private carriersLoaded = false;
  private timers: NodeJS.Timeout[] = [];
  private probing = false;
  private stopped = false;

  constructor(private readonly deps: EdgeDeps) {
    const { config } = deps;
    this.log = deps.logger.child({ component: 'sip-edge' });
    this.metrics = promEdgeMetrics(deps.metrics);
    this.nodes = new NodePool(config.nodes, config.health);
    this.sources = new SourceMatcher(config.nodes);
    this.admission = new InboundAdmission(config.inbound);
    this.server = new SrfSipServer(
      { ...config.drachtio, reconnectMaxDelay_ms: config.reconnectMaxDelay_ms },
      { invite: (call) => this.onInvite(call), options: (src) => this.onOptions(src), register: (src) => this.onRegister(src) },
      this.log,
      (up) => {
        this.metrics.connected(up);
        if (up) void this.probeNodes();
      },
    );
    for (const n of this.nodes.all()) this.metrics.nodeUp(n.name, n.up);
  }

  async start(): Promise<void> {
    this.stopped = false;
    await this.refreshCarriers();
    this.server.start();
    const { health, carriersRefresh_ms } = this.deps.config;
    this.timers.push(setInterval(() => { void this.probeNodes(); }, health.interval_ms));
    this.timers.push(setInterval(() => { void this.refreshCarriers(); }, carriersRefresh_ms));
    for (const t of this.timers) t.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    this.server.stop();
  }

  status(): EdgeStatus {
    return {
      connected: this.server.connected,
      carriersLoaded: this.carriersLoaded,
      nodes: this.nodes.all().map((n) => ({ name: n.name, weight: n.node.weight, up: n.up, active: n.active })),
    };
  }

  /** Ready to take calls: connected, and carriers' sources known. */
  get ready(): boolean {
    return this.server.connected && this.carriersLoaded;
  }

  private onInvite(call: CallerLeg): void {
    const source = this.sources.match(call.sourceAddress);
    const { config, clock } = this.deps;
    let work: Promise<void>;
    if (source.kind === 'node') {
      work = routeOutbound(call, { routing: this.deps.routing, dialer: this.server.dialer, capacity: this.capacity, clock, log: this.log, metrics: this.metrics, config: config.outbound });
    } else if (source.kind === 'carrier') {
      work = routeInbound(call, source.carrier, {
        dialer: this.server.dialer, nodes: this.nodes, admission: this.admission, clock, log: this.log, metrics: this.metrics,
        config: { ...config.inbound, accessNumbers: config.accessNumbers },
      });
    } else {
      this.log.info('INVITE from an unknown source refused', { source: call.sourceAddress });
      this.metrics.refused('inbound', 'unknown_source', 403);
      call.reject(403);
      return;
    }
    work.catch((err: unknown) => {
      this.log.error('call handling failed', { err });
      call.reject(500);
    });
  }

  private onOptions(source: string): number {
    return this.sources.match(source).kind === 'unknown' ? 403 : 200;
  }

  private onRegister(source: string): { status: number; headers?: Record<string, string> } {
    // The edge is not a registrar: carriers and nodes are configured by address, nobody registers.
    this.metrics.refused('inbound', 'register', this.sources.match(source).kind === 'unknown' ? 403 : 405);
    return this.sources.match(source).kind === 'unknown' ? { status: 403 } : { status: 405, headers: { Allow: ALLOW } };
  }

  /** One OPTIONS round to every node (not overlapping the previous round). */
  async probeNodes(): Promise<void> {
    if (this.probing || this.stopped || !this.server.connected) return;
    this.probing = true;
    try {
      const { timeout_ms } = this.deps.config.health;
      await Promise.all(this.nodes.all().map(async (n) => {
        const ok = await this.server.probe(`sip:ping@${n.name}`, timeout_ms);
        const change = this.nodes.probeResult(n.name, ok);
        if (change) {
          this.metrics.nodeUp(n.name, change === 'came_up');
          this.log[change === 'came_up' ? 'info' : 'warn'](change === 'came_up' ? 'Asterisk node back in service' : 'Asterisk node out of service', { node: n.name });
        }
      }));
    } finally {
      this.probing = false;
    }
  }

  /** Re-reads the carriers' sources; on failure keeps the last list (inbound keeps working with what it knew). */
  async refreshCarriers(): Promise<void> {
    try {
      const carriers = await this.deps.carriers.list();
      const bad = this.sources.setCarriers(carriers);
      if (bad.length) this.log.warn('carrier sources skipped (not an address or CIDR)', { bad });
      this.carriersLoaded = true;
    } catch (err) {
      this.log.error('could not read the carriers; keeping the last known sources', { err });
    }
  }
}
