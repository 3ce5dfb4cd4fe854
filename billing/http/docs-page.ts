import { ERROR_CODES } from '../shared/errors';
import { HTTP_STATUS } from './error-status';
import { openApiDocument } from './openapi';

/** A self-contained HTML page (no scripts, no CDN) rendered from the OpenAPI document. */
const esc = (s: unknown): string => String(s ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const code = (s: string): string => esc(s).replace(/`([^`]+)`/g, '<code>$1</code>');

type Json = Record<string, unknown>;

function typeOf(schema: Json): string {
  if (typeof schema.$ref === 'string') return schema.$ref.split('/').pop() ?? '';
  const t = schema.type;
  const base = Array.isArray(t) ? t.join(' | ') : String(t ?? 'any');
  return Array.isArray(schema.enum) ? `${base}: ${schema.enum.join(' | ')}` : base;
}

function resolve(schema: Json, doc: Json): Json {
  if (typeof schema.$ref === 'string') {
    const name = schema.$ref.split('/').pop() ?? '';
    return ((doc.components as Json).schemas as Json)[name] as Json;
  }
  return schema;
}

function fieldsTable(schema: Json, doc: Json): string {
  const s = resolve(schema, doc);
  const props = (s.properties ?? {}) as Record<string, Json>;
  const required = new Set((s.required ?? []) as string[]);
  const rows = Object.entries(props).map(([name, p]) => {
    const limits = [p.pattern ? `pattern ${p.pattern}` : '', p.maxLength ? `≤ ${p.maxLength} chars` : '', p.exclusiveMinimum !== undefined ? `> ${p.exclusiveMinimum}` : ''].filter(Boolean).join(', ');
    return `<tr><td><code>${esc(name)}</code>${required.has(name) ? '' : ' <small>optional</small>'}</td><td>${esc(typeOf(p))}</td><td>${code(String(p.description ?? ''))}${limits ? ` <small>(${esc(limits)})</small>` : ''}${p.example !== undefined ? `<br><small>e.g. <code>${esc(JSON.stringify(p.example))}</code></small>` : ''}</td></tr>`;
  });
  return rows.length ? `<table><tr><th>field</th><th>type</th><th>meaning</th></tr>${rows.join('')}</table>` : '<p><small>empty object</small></p>';
}

let cached: string | undefined;
export function docsPage(): string {
  if (cached) return cached;
  const doc = openApiDocument() as unknown as Json;
  const info = doc.info as Json;
  const sections: string[] = [];
  for (const [path, ops] of Object.entries(doc.paths as Record<string, Record<string, Json>>)) {
    for (const [method, op] of Object.entries(ops)) {
      const body = (((op.requestBody as Json | undefined)?.content as Json | undefined)?.['application/json'] as Json | undefined)?.schema as Json | undefined;
      const responses = Object.entries(op.responses as Record<string, Json>).map(([status, r]) => {
        const schema = ((r.content as Json | undefined)?.['application/json'] as Json | undefined)?.schema as Json | undefined;
        return `<li><b>${esc(status)}</b> ${code(String(r.description))}${schema && status.startsWith('2') ? ` — <code>${esc(typeOf(schema))}</code>` : ''}</li>`;
      });
      const idem = ((op.parameters ?? []) as Json[]).some((p) => p.name === 'Idempotency-Key' || p.name === 'idempotency-key');
      sections.push(`<section id="${esc(method + path)}"><h3><span class="m">${esc(method.toUpperCase())}</span> <code>${esc(path)}</code></h3>
<p><b>${esc(op.summary)}</b>. ${code(String(op.description ?? ''))}</p>
${idem ? '<p>Accepts an <code>Idempotency-Key</code> header (1–255 printable characters): a retry with the same key and body returns the first answer; the same key with another body is <code>idempotency_conflict</code>.</p>' : ''}
${body ? `<h4>Request body</h4>${fieldsTable(body, doc)}` : ''}
<h4>Responses</h4><ul>${responses.join('')}</ul></section>`);
    }
  }
  const schemas = Object.entries((doc.components as Json).schemas as Record<string, Json>)
    .filter(([name]) => !name.endsWith('Request'))
    .map(([name, s]) => `<h3 id="schema-${esc(name)}">${esc(name)}</h3>${fieldsTable(s, doc)}`);
  const errors = ERROR_CODES.map((c) => `<tr><td><code>${c}</code></td><td>${HTTP_STATUS[c]}</td></tr>`).join('');
  cached = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(info.title)}</title>
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}code{background:#f3f3f3;padding:0 .2em}
table{border-collapse:collapse;margin:.5rem 0}td,th{border:1px solid #ddd;padding:.25rem .5rem;vertical-align:top;text-align:left}
section{border-top:1px solid #ccc;margin-top:1.5rem}.m{background:#234;color:#fff;padding:0 .4em;border-radius:3px;font-size:.85em}pre{background:#f3f3f3;padding:.75rem;overflow:auto}</style></head>
<body><h1>${esc(info.title)}</h1><p>${code(String(info.description))}</p>
<p>Machine-readable: <a href="/openapi.json">/openapi.json</a> (OpenAPI ${esc(doc.openapi)}). Version ${esc(info.version)}.</p>
<h2>Authentication</h2><p>Send <code>Authorization: Bearer sk_…</code> with your merchant API key on every <code>/v1</code> request. Every answer carries an <code>X-Request-Id</code> (send your own to correlate).</p>
<h2>Example</h2><pre>curl -s http://localhost:3000/v1/authorizations \\
  -H "Authorization: Bearer $API_KEY" -H "Content-Type: application/json" \\
  -H "Idempotency-Key: order-1001" \\
  -d '{"card_number":"7123456789012345","pin":"1234","amount":1250,"currency":"USD","capture":true,"reference":"order-1001"}'</pre>
<h2>Endpoints</h2>${sections.join('\n')}
<h2>Objects</h2>${schemas.join('\n')}
<h2>Error codes</h2><table><tr><th>code</th><th>HTTP status</th></tr>${errors}</table>
<p>Limits: request bodies up to 16 kB (larger, malformed JSON or a Content-Type other than JSON answer <code>validation_error</code>); requests are rate limited per merchant and per client address (<code>rate_limited</code>, with <code>RateLimit</code> headers).</p>
<h2>Wrong card numbers and PINs</h2><p>Wrong PINs are counted per card across phone, site and API: a card is locked after a few in a row, each lockout longer than the last, and after the last one it stays <code>card_locked</code> until the card issuer unlocks it (the message says which). Failed card attempts are also counted per merchant (card-testing protection: too many and your card requests answer <code>rate_limited</code> for a while) and, when you send <code>customer_ip</code> (your customer's address, not your server's), per customer address, so that one customer mistyping is throttled without refusing your other customers.</p>
</body></html>`;
  return cached;
}
