/** The small REST framework of the simulator: requests, answers and ARI-style errors. */
export interface RestRequest {
  method: string;
  /** Path below `/ari`, e.g. `/channels/123/play`. */
  path: string;
  params: Record<string, string>;
  query: URLSearchParams;
  /** Parsed JSON body, or null (a body that is not JSON is ignored, as Asterisk does). */
  body: unknown;
}

export interface RestResponse {
  status: number;
  body?: unknown;
}

export type RestHandler = (req: RestRequest) => RestResponse | Promise<RestResponse>;

export interface Route {
  pattern: string;
  methods: Partial<Record<string, RestHandler>>;
}

/** An ARI error answer: `{"message": …}` (or any body, e.g. `{"error":"Allocation failed"}`). */
export class AriHttpError extends Error {
  constructor(readonly status: number, readonly body: unknown) {
    super(typeof body === 'object' && body !== null && 'message' in body ? String(body.message) : `HTTP ${status}`);
  }
}

export const fail = (status: number, message: string): AriHttpError => new AriHttpError(status, { message });
export const ok = (body?: unknown): RestResponse => ({ status: body === undefined ? 204 : 200, body });
export const noContent = (): RestResponse => ({ status: 204 });

/** A parameter from the query string, else from a JSON body object (ARI accepts both). Repeated keys: the last. */
export function param(req: RestRequest, name: string): string | undefined {
  const all = req.query.getAll(name);
  if (all.length > 0) return all[all.length - 1];
  const body = req.body;
  if (typeof body === 'object' && body !== null && name in body) {
    const v = (body as Record<string, unknown>)[name];
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return String(v);
  }
  return undefined;
}

/** A comma-separated list parameter (`media`, `channel`). */
export function listParam(req: RestRequest, name: string): string[] {
  const v = param(req, name);
  return v === undefined || v === '' ? [] : v.split(',').filter((s) => s !== '');
}

export function matchRoute(routes: readonly Route[], path: string): { route: Route; params: Record<string, string> } | undefined {
  const segs = path.split('/').slice(1);
  for (const route of routes) {
    const pat = route.pattern.split('/').slice(1);
    if (pat.length !== segs.length) continue;
    const params: Record<string, string> = {};
    let matched = true;
    for (let i = 0; i < pat.length && matched; i++) {
      const p = pat[i] ?? '';
      const s = segs[i] ?? '';
      if (p.startsWith('{')) {
        if (s === '') matched = false;
        else params[p.slice(1, -1)] = decodeURIComponent(s);
      } else if (p !== s) matched = false;
    }
    if (matched) return { route, params };
  }
  return undefined;
}
