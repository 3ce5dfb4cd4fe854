/**
 * A small SIP message codec for the drachtio-server double: parse what srf and the scripted peers send,
 * build what sofia-sip would put on the wire. Header names are kept as written when relayed; messages the
 * double builds itself use sofia's canonical names and order (see ../../../../shared/drachtio/transcripts/EXAMPLES.md).
 */

export type Header = [name: string, value: string];

export interface SipMessage {
  kind: 'request' | 'response';
  /** Requests. */
  method: string;
  uri: string;
  /** Responses. */
  status: number;
  reason: string;
  version: string;
  headers: Header[];
  body: string;
}

const COMPACT: Record<string, string> = {
  i: 'call-id', f: 'from', t: 'to', v: 'via', m: 'contact', l: 'content-length', c: 'content-type', k: 'supported', s: 'subject', e: 'content-encoding', o: 'event', r: 'refer-to', b: 'referred-by', x: 'session-expires', u: 'allow-events',
};

/** Lower-case long form of a header name (compact forms expanded). */
export function headerKey(name: string): string {
  const k = name.trim().toLowerCase();
  return COMPACT[k] ?? k;
}

/** sofia's spelling of the headers it knows, in the order it encodes them; unknown headers follow Content-Length. */
const CANONICAL = [
  'Via', 'Route', 'Record-Route', 'Max-Forwards', 'Proxy-Require', 'From', 'To', 'Call-ID', 'CSeq', 'Contact',
  'RSeq', 'RAck', 'Request-Disposition', 'Accept-Contact', 'Reject-Contact', 'Expires', 'Date', 'Retry-After',
  'Timestamp', 'Min-Expires', 'Subject', 'Priority', 'Call-Info', 'Organization', 'Server', 'User-Agent',
  'In-Reply-To', 'Accept', 'Accept-Encoding', 'Accept-Language', 'Allow', 'Require', 'Supported', 'Unsupported',
  'Event', 'Allow-Events', 'Subscription-State', 'Proxy-Authenticate', 'Proxy-Authentication-Info',
  'Proxy-Authorization', 'Authorization', 'WWW-Authenticate', 'Authentication-Info', 'Error-Info', 'Warning',
  'Refer-To', 'Referred-By', 'Replaces', 'Session-Expires', 'Min-SE', 'Path', 'Service-Route', 'Reason',
  'Security-Client', 'Security-Server', 'Security-Verify', 'Privacy', 'Etag', 'If-Match', 'Mime-Version',
  'Content-Type', 'Content-Disposition', 'Content-Encoding', 'Content-Language', 'Content-Length',
];
const CANONICAL_RANK = new Map(CANONICAL.map((n, i) => [n.toLowerCase(), i]));
const CANONICAL_NAME = new Map(CANONICAL.map((n) => [n.toLowerCase(), n]));

/** sofia's spelling of a header name; unknown names keep the caller's spelling. */
export function canonicalName(name: string): string {
  return CANONICAL_NAME.get(headerKey(name)) ?? name;
}

/** Orders headers as sofia encodes them: known headers in its order, then the others in their given order. */
export function sofiaOrder(headers: Header[]): Header[] {
  const known = headers.filter(([n]) => CANONICAL_RANK.has(headerKey(n)));
  const unknown = headers.filter(([n]) => !CANONICAL_RANK.has(headerKey(n)));
  known.sort((a, b) => (CANONICAL_RANK.get(headerKey(a[0])) ?? 0) - (CANONICAL_RANK.get(headerKey(b[0])) ?? 0));
  return [...known.map(([n, v]): Header => [canonicalName(n), v]), ...unknown];
}

export function getHeader(msg: Pick<SipMessage, 'headers'>, name: string): string | undefined {
  const key = headerKey(name);
  return msg.headers.find(([n]) => headerKey(n) === key)?.[1];
}

export function getHeaders(msg: Pick<SipMessage, 'headers'>, name: string): string[] {
  const key = headerKey(name);
  return msg.headers.filter(([n]) => headerKey(n) === key).map(([, v]) => v);
}

export function setHeader(msg: Pick<SipMessage, 'headers'>, name: string, value: string): void {
  const key = headerKey(name);
  const i = msg.headers.findIndex(([n]) => headerKey(n) === key);
  if (i >= 0) msg.headers[i] = [msg.headers[i]?.[0] ?? name, value];
  else msg.headers.push([name, value]);
}

export function removeHeader(msg: Pick<SipMessage, 'headers'>, name: string): void {
  const key = headerKey(name);
  msg.headers = msg.headers.filter(([n]) => headerKey(n) !== key);
}

/** Why a text is not a SIP message sofia would accept, and what it answers (null: dropped silently). */
export class SipParseError extends Error {
  constructor(readonly answer: 400 | 505 | null, message: string) {
    super(message);
  }
}

const REQUEST_LINE = /^([A-Za-z]+) (\S+) (SIP\/\d+\.\d+)$/;
const STATUS_LINE = /^(SIP\/\d+\.\d+) (\d{3}) ?(.*)$/;
const KNOWN_METHODS = new Set(['INVITE', 'ACK', 'BYE', 'CANCEL', 'OPTIONS', 'REGISTER', 'INFO', 'PRACK', 'UPDATE', 'SUBSCRIBE', 'NOTIFY', 'REFER', 'MESSAGE', 'PUBLISH']);

/** Longest header line sofia accepted in the recordings was well under this; a 9000-byte one got 400 (11a). */
const MAX_HEADER_LINE = 8192;

/**
 * Parses a SIP message. `strict` applies sofia's checks for messages from the network (11a): a missing
 * Call-ID/CSeq/From or a CSeq method that differs from the request method → 400; a version other than
 * SIP/2.0 → 505; no Via, unknown methods or garbage → dropped; a Content-Length longer than the body → 400,
 * shorter → the body is cut.
 */
export function parseSip(text: string, strict = false): SipMessage {
  const split = text.indexOf('\r\n\r\n');
  const head = split >= 0 ? text.slice(0, split) : text.replace(/(\r\n)+$/, '');
  let body = split >= 0 ? text.slice(split + 4) : '';
  const lines = head.split('\r\n');
  const first = lines.shift() ?? '';
  const headers: Header[] = [];
  for (const line of lines) {
    if (line === '') continue;
    if (/^[ \t]/.test(line) && headers.length > 0) {
      const last = headers[headers.length - 1] as Header;
      last[1] = `${last[1]} ${line.trim()}`;
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) throw new SipParseError(strict ? 400 : null, `bad header line: ${line.slice(0, 40)}`);
    if (strict && line.length > MAX_HEADER_LINE) throw new SipParseError(400, 'header too long');
    headers.push([line.slice(0, colon).trim(), line.slice(colon + 1).trim()]);
  }
  const req = REQUEST_LINE.exec(first);
  const res = req ? null : STATUS_LINE.exec(first);
  if (!req && !res) throw new SipParseError(null, `not a SIP start line: ${first.slice(0, 40)}`);
  const msg: SipMessage = req
    ? { kind: 'request', method: (req[1] as string).toUpperCase(), uri: req[2] as string, version: req[3] as string, status: 0, reason: '', headers, body }
    : { kind: 'response', method: '', uri: '', version: res?.[1] as string, status: Number(res?.[2]), reason: res?.[3] ?? '', headers, body };
  const lengthText = getHeader(msg, 'content-length');
  if (lengthText !== undefined) {
    const n = Number(lengthText.trim());
    if (!Number.isInteger(n) || n < 0) throw new SipParseError(strict ? 400 : null, 'bad Content-Length');
    const bytes = Buffer.from(body, 'utf8');
    if (n > bytes.length) {
      if (strict) throw new SipParseError(400, 'Content-Length longer than the body');
    } else if (n < bytes.length) {
      body = bytes.subarray(0, n).toString('utf8');
    }
    msg.body = body;
  }
  if (!strict) return msg;
  if (msg.version !== 'SIP/2.0') throw new SipParseError(msg.kind === 'request' ? 505 : null, `unsupported version ${msg.version}`);
  if (msg.kind === 'request' && !KNOWN_METHODS.has(msg.method)) throw new SipParseError(null, `unknown method ${msg.method}`);
  if (getHeaders(msg, 'via').length === 0) throw new SipParseError(null, 'no Via');
  const cseq = getHeader(msg, 'cseq');
  if (!getHeader(msg, 'call-id') || !cseq || !getHeader(msg, 'from') || !getHeader(msg, 'to')) {
    throw new SipParseError(msg.kind === 'request' ? 400 : null, 'missing Call-ID, CSeq, From or To');
  }
  const [num, method] = cseq.split(/\s+/);
  if (!/^\d+$/.test(num ?? '') || !method) throw new SipParseError(msg.kind === 'request' ? 400 : null, 'bad CSeq');
  if (msg.kind === 'request' && method.toUpperCase() !== msg.method) throw new SipParseError(400, 'CSeq method differs from the request method');
  return msg;
}

export function startLine(msg: SipMessage): string {
  return msg.kind === 'request' ? `${msg.method} ${msg.uri} SIP/2.0` : `SIP/2.0 ${msg.status} ${msg.reason}`;
}

/** The message as text with CRLF line ends; Content-Length is written as given (set it first). */
export function serializeSip(msg: SipMessage): string {
  const lines = [startLine(msg), ...msg.headers.map(([n, v]) => `${n}: ${v}`)];
  return `${lines.join('\r\n')}\r\n\r\n${msg.body}`;
}

/** Sets Content-Length to the body's byte length (keeping the header's place, else appending it). */
export function withContentLength(msg: SipMessage): SipMessage {
  setHeader(msg, 'Content-Length', String(Buffer.byteLength(msg.body, 'utf8')));
  return msg;
}

export interface CSeq { seq: number; method: string }

export function parseCSeq(msg: SipMessage): CSeq {
  const [num, method] = (getHeader(msg, 'cseq') ?? '').trim().split(/\s+/);
  return { seq: Number(num), method: (method ?? '').toUpperCase() };
}

/** The `tag` parameter of a From/To value. */
export function tagOf(nameAddr: string | undefined): string | undefined {
  if (!nameAddr) return undefined;
  const afterUri = nameAddr.includes('>') ? nameAddr.slice(nameAddr.lastIndexOf('>') + 1) : nameAddr;
  return /;\s*tag=([^;,\s]+)/i.exec(afterUri)?.[1];
}

/** The URI inside a name-addr (`"x" <sip:a@b>;tag=1` → `sip:a@b`). */
export function uriOf(nameAddr: string): string {
  const lt = nameAddr.indexOf('<');
  if (lt >= 0) return nameAddr.slice(lt + 1, nameAddr.indexOf('>', lt));
  return nameAddr.split(';')[0]?.trim() ?? nameAddr;
}

export interface HostPort { host: string; port: number }

/** host and port of a SIP URI (`sip:user@host:port;params`), 5060 when no port is given. */
export function hostPortOf(uri: string): HostPort | undefined {
  const m = /^sips?:(?:[^@;]*@)?(\[[^\]]+\]|[^:;>?]+)(?::(\d+))?/i.exec(uri.trim());
  if (!m) return undefined;
  return { host: (m[1] as string).replace(/^\[|\]$/g, ''), port: m[2] ? Number(m[2]) : 5060 };
}

/** The user part of a SIP URI, if any. */
export function userOf(uri: string): string | undefined {
  return /^sips?:([^@;]+)@/i.exec(uri.trim())?.[1];
}

/** The branch parameter of the top Via. */
export function topBranch(msg: SipMessage): string {
  const via = getHeader(msg, 'via') ?? '';
  return /;\s*branch=([^;,\s]+)/i.exec(via)?.[1] ?? '';
}

/** A copy (headers cloned). */
export function cloneSip(msg: SipMessage): SipMessage {
  return { ...msg, headers: msg.headers.map(([n, v]): Header => [n, v]) };
}
