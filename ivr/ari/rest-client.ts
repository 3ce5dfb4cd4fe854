import ari from 'ari-client';
import type { AriClient } from 'ari-client';
import { AriError, toAriError } from './errors';
import { RequestSlots } from './request-slots';
import { withTimeout } from './with-timeout';

export interface AriRestConfig {
  url: string;
  user: string;
  password: string;
  /** Bound on every REST call. */
  restTimeout_ms: number;
  /** Bound on loading the API description at connect. */
  connectTimeout_ms: number;
  /** Requests out at once (one connection each); the others queue (request-slots.ts). */
  maxRequestsInFlight: number;
}

/**
 * swagger-client 2.0.26 (under ari-client) defines a global `log` that console.logs (e.g. "This API is using a
 * deprecated version of Swagger!") and keeps every call's arguments in `log.history` forever. Replace it with a
 * no-op once, so nothing unstructured reaches stdout and nothing accumulates.
 */
function quietSwaggerLog(): void {
  const g = globalThis as { log?: unknown };
  if (typeof g.log === 'function' && 'history' in g.log) g.log = () => {};
  else if (typeof g.log === 'function' && String(g.log).includes('log.history')) g.log = () => {};
}

export function basicAuth(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}

/**
 * The REST half of ari-client, made safe: every call is bounded by a timeout and every failure is an AriError.
 * Note: swagger-client keeps the Basic credentials in a process-wide registry, so one process talks to ARI with
 * one user (the last connected).
 */
export class AriRest {
  private readonly slots: RequestSlots;

  private constructor(private readonly client: AriClient, private readonly cfg: AriRestConfig) {
    this.slots = new RequestSlots(cfg.maxRequestsInFlight);
  }

  static async connect(cfg: AriRestConfig): Promise<AriRest> {
    // Preflight with our own request: ari-client/swagger would throw an uncaught exception on a 401 while loading
    // the API description, and would wait forever on an unreachable host.
    let res: Response;
    try {
      res = await fetch(`${cfg.url}/ari/api-docs/resources.json`, {
        headers: { Authorization: basicAuth(cfg.user, cfg.password) },
        signal: AbortSignal.timeout(cfg.connectTimeout_ms),
      });
    } catch (err) {
      const timedOut = err instanceof Error && err.name === 'TimeoutError';
      throw new AriError(timedOut ? 'ari_timeout' : 'ari_unavailable', `connect: ${err instanceof Error ? err.message : String(err)}`, { url: cfg.url });
    }
    await res.body?.cancel();
    if (res.status === 401) throw new AriError('ari_unauthorized', 'connect: ARI rejected the user or password', { url: cfg.url });
    if (res.status !== 200) throw new AriError('ari_unavailable', `connect: ARI answered ${res.status}`, { url: cfg.url });
    quietSwaggerLog();
    try {
      const client = await withTimeout(ari.connect(cfg.url, cfg.user, cfg.password), cfg.connectTimeout_ms, 'connect');
      return new AriRest(client, cfg);
    } catch (err) {
      throw toAriError(err, 'connect');
    }
  }

  slotUse(): { inFlight: number; queued: number; max: number } {
    return { inFlight: this.slots.inFlight, queued: this.slots.queued, max: this.slots.max };
  }

  /**
   * Calls `client[resource][operation](params)` once one of `maxRequestsInFlight` slots is free;
   * rejects with an AriError (ari_timeout after restTimeout_ms, time queued included).
   */
  async call(resource: string, operation: string, params: Record<string, unknown> = {}): Promise<unknown> {
    const op = this.client[resource]?.[operation];
    if (!op) throw new AriError('ari_error', `${resource}.${operation} is not in the ARI description`);
    const name = `${resource}.${operation}`;
    try {
      return await this.slots.run(() => op(params), this.cfg.restTimeout_ms, name);
    } catch (err) {
      throw toAriError(err, name);
    }
  }
}
