import helmet from 'helmet';

/**
 * The security headers of the JSON API (/v1, /openapi.json), after OWASP's REST Security Cheat
 * Sheet: what a browser needs to never render, frame, sniff or cache an answer, and nothing that
 * only matters to an HTML page. `Cache-Control: no-store` and the `Content-Type` come with every
 * answer from sendJson (api-error.ts); helmet adds:
 * - `Content-Security-Policy: default-src 'none';frame-ancestors 'none'` — an answer loads nothing
 *   and is framed nowhere (helmet's default policy is a page's: scripts, styles and images from self);
 * - `X-Frame-Options: DENY` — the same for browsers without CSP (helmet's default is SAMEORIGIN);
 * - `Strict-Transport-Security`, `X-Content-Type-Options: nosniff`, `Referrer-Policy: no-referrer`,
 *   `Cross-Origin-Resource-Policy: same-origin` (no other site reads an answer through a no-cors
 *   request), `X-Permitted-Cross-Domain-Policies: none`.
 * Left out, as they concern pages and windows: Cross-Origin-Opener-Policy, Origin-Agent-Cluster,
 * X-DNS-Prefetch-Control, X-Download-Options, X-XSS-Protection (five headers fewer on every answer;
 * no measurable change in speed: README, Benchmarks). The /docs page, HTML, keeps helmet's full set.
 */
export function apiSecurityHeaders() {
  return helmet({
    contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } },
    xFrameOptions: { action: 'deny' },
    crossOriginOpenerPolicy: false,
    originAgentCluster: false,
    xDnsPrefetchControl: false,
    xDownloadOptions: false,
    xXssProtection: false,
  });
}
