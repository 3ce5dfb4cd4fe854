import type { RefusedBy } from '../core/call-limiter';
import { admitAll, CallLimiter, stricter } from '../core/call-limiter';
import type { EdgeConfig } from '../edge-config';
import type { Carrier } from '../routing-contract';

export type InboundAdmitted = { ok: true; release: () => void } | { ok: false; refusedBy: RefusedBy; scope: 'global' | 'source' };

/**
 * Inbound admission: the whole edge (EDGE_INBOUND_CPS / EDGE_INBOUND_MAX_CALLS) and each carrier (the stricter
 * of EDGE_INBOUND_SOURCE_* and the carrier's own cps / max_concurrent). A call is counted only when every
 * limit lets it in.
 */
export class InboundAdmission {
  private readonly global: CallLimiter;
  private readonly perSource = new Map<number, CallLimiter>();

  constructor(private readonly config: EdgeConfig['inbound']) {
    this.global = new CallLimiter({ cps: config.cps, concurrent: config.maxConcurrent });
  }

  admit(carrier: Pick<Carrier, 'id' | 'cps' | 'max_concurrent'>, now_ms: number): InboundAdmitted {
    const limits = { cps: stricter(this.config.perSourceCps, carrier.cps), concurrent: stricter(this.config.perSourceConcurrent, carrier.max_concurrent) };
    let source = this.perSource.get(carrier.id);
    if (!source) {
      source = new CallLimiter(limits);
      this.perSource.set(carrier.id, source);
    } else {
      source.setLimits(limits);
    }
    const a = admitAll([this.global, source], now_ms);
    return a.ok ? a : { ok: false, refusedBy: a.refusedBy, scope: a.index === 0 ? 'global' : 'source' };
  }
}
