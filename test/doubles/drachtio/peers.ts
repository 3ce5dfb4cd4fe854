import { randomBytes } from 'node:crypto';
import type { Header, SipMessage } from './sip-message';
import { getHeader, getHeaders, parseCSeq, parseSip, serializeSip, tagOf, uriOf } from './sip-message';
import type { Address, Endpoint, SipNetwork } from './sip-network';
import { addressKey } from './sip-network';

/**
 * Scripted SIP peers on the double's in-process network, written like the SIPp scenarios of the recordings
 * (same header sets and order): far ends that answer, reject, ring, stay silent (carriers, Asterisk nodes),
 * callers that place, cancel and hang up calls, and a raw sender for malformed input.
 */

const sdpFor = (owner: string, a: Address, media_port: number, direction = 'sendrecv') => [
  'v=0', `o=${owner} 1234 5678 IN IP4 ${a.host}`, 's=-', `c=IN IP4 ${a.host}`, 't=0 0', `m=audio ${media_port} RTP/AVP 0 101`,
  'a=rtpmap:0 PCMU/8000', 'a=rtpmap:101 telephone-event/8000', 'a=fmtp:101 0-16', `a=${direction}`, '',
].join('\r\n');

const hex = (n: number) => randomBytes(n).toString('hex');

export interface Received { t_ms: number; /** performance.now() at arrival. */ hr_ms: number; msg: SipMessage; from: Address }

/** A SIP endpoint bound to one address of the network. */
export class SipPeer implements Endpoint {
  readonly received: Received[] = [];
  private unbind: (() => void) | undefined;
  private waiters: Array<{ pred: (m: SipMessage) => boolean; resolve: (m: SipMessage) => void }> = [];
  private readonly started = Date.now();

  /** Keep `received` (off for benches). */
  keepReceived = true;
  /** Called with every message as it arrives (benches time with it). */
  onReceived: ((msg: SipMessage, hr_ms: number) => void) | undefined;

  constructor(readonly network: SipNetwork, readonly address: Address, readonly server: Address) {}

  get name(): string {
    return addressKey(this.address);
  }

  start(): this {
    this.unbind ??= this.network.bind(this);
    return this;
  }

  /** Unbinds: the address becomes unreachable (nothing listening). */
  stop(): void {
    this.unbind?.();
    this.unbind = undefined;
  }

  get listening(): boolean {
    return this.unbind !== undefined;
  }

  receive(data: Buffer, from: Address): void {
    let msg: SipMessage;
    try {
      msg = parseSip(data.toString('utf8'));
    } catch {
      return;
    }
    if (this.keepReceived) this.received.push({ t_ms: Date.now() - this.started, hr_ms: performance.now(), msg, from });
    this.onReceived?.(msg, performance.now());
    this.waiters = this.waiters.filter((w) => {
      if (!w.pred(msg)) return true;
      w.resolve(msg);
      return false;
    });
    this.onMessage(msg, from);
  }

  protected onMessage(_msg: SipMessage, _from: Address): void {}

  /** Extra delay before each packet this peer sends (its processing time), in ms. */
  delay_ms = 0;

  sendText(text: string | Buffer, to: Address = this.server): void {
    if (this.delay_ms > 0) setTimeout(() => this.network.send(this.address, to, text), this.delay_ms);
    else this.network.send(this.address, to, text);
  }

  send(msg: SipMessage, to: Address = this.server): void {
    this.sendText(serializeSip(msg), to);
  }

  /** Resolves with the first message (already received or to come) matching `pred`. */
  waitFor(pred: (m: SipMessage) => boolean, timeout_ms = 5000, what = 'a SIP message'): Promise<SipMessage> {
    const seen = this.received.find((r) => pred(r.msg));
    if (seen) return Promise.resolve(seen.msg);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w.resolve !== done);
        reject(new Error(`${this.name}: no ${what} within ${timeout_ms} ms`));
      }, timeout_ms);
      const done = (m: SipMessage) => { clearTimeout(timer); resolve(m); };
      this.waiters.push({ pred, resolve: done });
    });
  }

  requests(method: string): SipMessage[] {
    return this.received.filter((r) => r.msg.kind === 'request' && r.msg.method === method).map((r) => r.msg);
  }

  protected reply(req: SipMessage, status: number, reason: string, opts: { toTag?: string; contact?: boolean; headers?: Header[]; body?: string; contentType?: string } = {}): SipMessage {
    const headers: Header[] = getHeaders(req, 'via').map((v): Header => ['Via', v]);
    const to = getHeader(req, 'to') ?? '';
    headers.push(['From', getHeader(req, 'from') ?? ''], ['To', opts.toTag && !tagOf(to) ? `${to};tag=${opts.toTag}` : to]);
    headers.push(['Call-ID', getHeader(req, 'call-id') ?? ''], ['CSeq', getHeader(req, 'cseq') ?? '']);
    if (opts.contact) headers.push(['Contact', `<sip:far@${this.name}>`]);
    headers.push(...(opts.headers ?? []));
    const body = opts.body ?? '';
    if (body) headers.push(['Content-Type', opts.contentType ?? 'application/sdp']);
    headers.push(['Content-Length', body ? String(Buffer.byteLength(body)).padStart(5) : '0']);
    const res: SipMessage = { kind: 'response', method: '', uri: '', version: 'SIP/2.0', status, reason, headers, body };
    this.send(res);
    return res;
  }
}

// -------------------------------------------------------------------------------------------------------------
// Far ends (carriers' gateways, Asterisk nodes, SIPp uas-*.xml)
// -------------------------------------------------------------------------------------------------------------

export type InviteScript =
  /** 100, optionally 180 after ring_ms, then 200 + SDP after answer_ms; a BYE after bye_after_ms (from the ACK). */
  | { kind: 'answer'; ring_ms?: number | null; answer_ms?: number; bye_after_ms?: number | null; trying?: boolean }
  /** 100, optionally 180, then a final failure after after_ms. */
  | { kind: 'reject'; status: number; reason?: string; after_ms?: number; ring_ms?: number | null; trying?: boolean; headers?: Header[] }
  /** 100 and 180, and never a final answer (until CANCELed: 200 + 487). */
  | { kind: 'ring'; ring_ms?: number }
  /** 100 Trying only. */
  | { kind: 'trying' }
  /** Reads and never answers. */
  | { kind: 'silent' };

export const answers = {
  answer: (o: { ring_ms?: number | null; answer_ms?: number; bye_after_ms?: number | null; trying?: boolean } = {}): InviteScript => ({ kind: 'answer', ...o }),
  reject: (status: number, o: { reason?: string; after_ms?: number; ring_ms?: number | null; trying?: boolean; headers?: Header[] } = {}): InviteScript => ({ kind: 'reject', status, ...o }),
  ring: (ring_ms = 0): InviteScript => ({ kind: 'ring', ring_ms }),
  trying: (): InviteScript => ({ kind: 'trying' }),
  silent: (): InviteScript => ({ kind: 'silent' }),
};

export interface UasOptions {
  invite?: InviteScript | ((req: SipMessage, n: number) => InviteScript);
  /** How OPTIONS are answered: a status, or 'silent'. Default 200. */
  options?: number | 'silent';
  /** Answer a re-INVITE's SDP with this direction (sendonly → recvonly by default). */
  media_port?: number;
}

interface UasCall {
  req: SipMessage;
  toTag: string;
  final?: number;
  timers: NodeJS.Timeout[];
  acked: boolean;
  ended: boolean;
  byeSeq: number;
}

export class ScriptedUas extends SipPeer {
  private readonly calls = new Map<string, UasCall>();
  private inviteCount = 0;
  private readonly callerTags = `${Math.floor(Math.random() * 90_000) + 10_000}SIPpTag01`;
  /** Calls that reached the answered state, and BYEs that ended them. */
  answered = 0;
  ended = 0;
  /** Forget a call once it is over (benches: bounded memory). */
  forgetEnded = false;

  constructor(network: SipNetwork, address: Address, server: Address, public opts: UasOptions = {}) {
    super(network, address, server);
  }

  /** Calls in progress or up (not ended). */
  activeCalls(): number {
    return [...this.calls.values()].filter((c) => !c.ended && (c.final === undefined || c.final < 300)).length;
  }

  protected override onMessage(msg: SipMessage): void {
    if (msg.kind === 'response') return;
    const callId = getHeader(msg, 'call-id') ?? '';
    switch (msg.method) {
      case 'INVITE': {
        const existing = this.calls.get(callId);
        if (existing && tagOf(getHeader(msg, 'to'))) return this.reinvite(msg);
        if (existing) return; // retransmission
        return this.invite(msg);
      }
      case 'ACK': {
        const call = this.calls.get(callId);
        if (call && call.final !== undefined && call.final >= 300) this.calls.delete(callId); // a failed call is over
        if (call && call.final !== undefined && call.final < 300 && !call.acked) {
          call.acked = true;
          const script = this.scriptFor(call.req);
          if (script.kind === 'answer' && typeof script.bye_after_ms === 'number') {
            call.timers.push(setTimeout(() => this.hangup(callId), script.bye_after_ms));
          }
        }
        return;
      }
      case 'CANCEL': {
        const call = this.calls.get(callId);
        this.reply(msg, 200, 'OK', { contact: true });
        if (call && call.final === undefined) {
          this.finish(call, 487, 'Request Terminated');
        }
        return;
      }
      case 'BYE': {
        const call = this.calls.get(callId);
        this.reply(msg, 200, 'OK', { contact: true });
        if (call && !call.ended) {
          call.ended = true;
          this.ended++;
          for (const t of call.timers) clearTimeout(t);
        }
        if (this.forgetEnded) this.calls.delete(callId);
        return;
      }
      case 'OPTIONS': {
        const how = this.opts.options ?? 200;
        if (how === 'silent') return;
        this.reply(msg, how, how === 200 ? 'OK' : 'Service Unavailable', { toTag: `${this.callerTags}${++this.inviteCount}`, contact: true, headers: [['Allow', 'INVITE, ACK, CANCEL, BYE, OPTIONS, INFO'], ['Accept', 'application/sdp']] });
        return;
      }
      default:
        this.reply(msg, 200, 'OK', { contact: true });
    }
  }

  private scriptFor(req: SipMessage): InviteScript {
    const s = this.opts.invite ?? answers.answer();
    return typeof s === 'function' ? s(req, this.inviteCount) : s;
  }

  private invite(req: SipMessage): void {
    this.inviteCount++;
    const callId = getHeader(req, 'call-id') ?? '';
    const call: UasCall = { req, toTag: `${this.callerTags}${this.inviteCount}`, timers: [], acked: false, ended: false, byeSeq: 1 };
    this.calls.set(callId, call);
    const script = this.scriptFor(req);
    if (script.kind === 'silent') return;
    if (!((script.kind === 'reject' || script.kind === 'answer') && script.trying === false)) this.reply(req, 100, 'Trying');
    const at = (ms: number, fn: () => void) => call.timers.push(setTimeout(() => { if (call.final === undefined) fn(); }, ms));
    const ring = (ms: number | null | undefined) => { if (ms !== null && ms !== undefined) at(ms, () => this.reply(req, 180, 'Ringing', { toTag: call.toTag, contact: true })); };
    switch (script.kind) {
      case 'answer':
        ring(script.ring_ms === undefined ? 0 : script.ring_ms);
        at(script.answer_ms ?? 20, () => {
          call.final = 200;
          this.answered++;
          this.reply(req, 200, 'OK', { toTag: call.toTag, contact: true, body: sdpFor('far', this.address, this.opts.media_port ?? 16020) });
        });
        return;
      case 'reject':
        ring(script.ring_ms);
        at(script.after_ms ?? 10, () => this.finish(call, script.status, script.reason ?? defaultReason(script.status), script.headers));
        return;
      case 'ring':
        ring(script.ring_ms ?? 0);
        return;
      case 'trying':
        return;
    }
  }

  private finish(call: UasCall, status: number, reason: string, headers: Header[] = []): void {
    call.final = status;
    for (const t of call.timers) clearTimeout(t);
    this.reply(call.req, status, reason, { toTag: call.toTag, headers });
  }

  private reinvite(req: SipMessage): void {
    const direction = /a=sendonly/.test(req.body) ? 'recvonly' : /a=recvonly/.test(req.body) ? 'sendonly' : 'sendrecv';
    this.reply(req, 200, 'OK', { contact: true, body: sdpFor('far', this.address, this.opts.media_port ?? 16020, direction).replace('5678', '5679') });
  }

  /** The far end hangs up an answered call (BYE to the INVITE's Contact). */
  hangup(callId?: string): void {
    const call = callId ? this.calls.get(callId) : [...this.calls.values()].find((c) => c.final === 200 && !c.ended);
    if (!call || call.ended) return;
    call.ended = true;
    this.ended++;
    const contact = uriOf(getHeader(call.req, 'contact') ?? `<sip:${this.server.host}:${this.server.port}>`);
    const headers: Header[] = [
      ['Via', `SIP/2.0/UDP ${this.name};branch=z9hG4bK-${hex(6)}`], ['From', `${getHeader(call.req, 'to') ?? ''};tag=${call.toTag}`],
      ['To', getHeader(call.req, 'from') ?? ''], ['Call-ID', getHeader(call.req, 'call-id') ?? ''], ['CSeq', `${call.byeSeq++} BYE`],
      ['Contact', `<sip:far@${this.name}>`], ['Max-Forwards', '70'], ['Content-Length', '0'],
    ];
    this.send({ kind: 'request', method: 'BYE', uri: contact, version: 'SIP/2.0', status: 0, reason: '', headers, body: '' });
  }

  /** INVITEs received, oldest first. */
  invites(): SipMessage[] {
    return this.requests('INVITE').filter((m) => !tagOf(getHeader(m, 'to')));
  }
}

function defaultReason(status: number): string {
  return ({ 404: 'Not Found', 408: 'Request Timeout', 480: 'Temporarily Unavailable', 486: 'Busy Here', 487: 'Request Terminated', 500: 'Server Internal Error', 502: 'Bad Gateway', 503: 'Service Unavailable', 504: 'Server Time-out', 600: 'Busy Everywhere', 603: 'Decline', 604: 'Does Not Exist Anywhere' } as Record<number, string>)[status] ?? 'Failure';
}

// -------------------------------------------------------------------------------------------------------------
// Callers (SIPp uac-*.xml, an Asterisk node placing an outbound leg, a carrier delivering an inbound call)
// -------------------------------------------------------------------------------------------------------------

export interface CallOptions {
  /** Request-URI user (the dialled number); the host is the server's. */
  to: string;
  from_user?: string;
  display?: string;
  headers?: Header[];
  sdp?: boolean;
}

export class CallHandle {
  readonly responses: SipMessage[] = [];
  /** Every response of the dialog (INVITE ones included), for in-dialog requests. */
  readonly inDialogResponses: SipMessage[] = [];
  final: SipMessage | undefined;
  ended = false;
  private toHeader: string | undefined;
  private remoteTarget: string | undefined;
  private cseq = 1;
  private readonly settled: Promise<SipMessage>;
  private resolveFinal!: (m: SipMessage) => void;
  private endedWaiters: Array<() => void> = [];

  constructor(private readonly caller: ScriptedCaller, readonly invite: SipMessage, readonly callId: string, readonly fromTag: string) {
    this.settled = new Promise((resolve) => { this.resolveFinal = resolve; });
  }

  /** The final response to the INVITE. */
  finalResponse(timeout_ms = 10_000): Promise<SipMessage> {
    return Promise.race([
      this.settled,
      new Promise<SipMessage>((_, reject) => setTimeout(() => reject(new Error(`call ${this.callId}: no final response within ${timeout_ms} ms`)), timeout_ms).unref()),
    ]);
  }

  /** Statuses received for the INVITE (100 included), in order. */
  statuses(): number[] {
    return this.responses.map((r) => r.status);
  }

  onResponse(res: SipMessage): void {
    this.responses.push(res);
    if (res.status < 200 || this.final) return;
    this.final = res;
    this.toHeader = getHeader(res, 'to');
    const contact = getHeader(res, 'contact');
    this.remoteTarget = contact ? uriOf(contact) : undefined;
    if (res.status < 300) this.caller.sendAck(this, res);
    else this.caller.sendAck(this, res, true);
    this.resolveFinal(res);
  }

  onBye(): void {
    this.markEnded();
  }

  private markEnded(): void {
    if (this.ended) return;
    this.ended = true;
    for (const w of this.endedWaiters) w();
    this.endedWaiters = [];
  }

  /** Resolves when the call is over (BYE received or sent). */
  whenEnded(timeout_ms = 10_000): Promise<void> {
    if (this.ended) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`call ${this.callId}: not ended within ${timeout_ms} ms`)), timeout_ms);
      t.unref();
      this.endedWaiters.push(() => { clearTimeout(t); resolve(); });
    });
  }

  /** CANCELs the INVITE (same branch, CSeq 1 CANCEL). */
  cancel(): void {
    this.caller.sendCancel(this);
  }

  /** The caller hangs up an answered call. */
  bye(): void {
    if (!this.final || this.final.status >= 300 || this.ended) return;
    this.caller.sendInDialog(this, 'BYE', ++this.cseq);
    this.markEnded();
  }

  /** Sends an in-dialog request (re-INVITE, INFO…). */
  request(method: string, body = '', contentType?: string): void {
    this.caller.sendInDialog(this, method, ++this.cseq, body, contentType);
  }

  get to(): string | undefined { return this.toHeader; }
  get target(): string | undefined { return this.remoteTarget; }
}

export class ScriptedCaller extends SipPeer {
  private readonly calls = new Map<string, CallHandle>();
  private n = 0;
  private readonly pid = Math.floor(Math.random() * 90_000) + 10_000;

  /** Places a call to `sip:<to>@<server>` (SIPp's uac-call-*.xml message). */
  call(opts: CallOptions): CallHandle {
    this.n++;
    const callId = `${this.n}-${this.pid}@${this.address.host}`;
    const fromTag = `${this.pid}SIPpTag00${this.n}`;
    const ruri = `sip:${opts.to}@${this.server.host}:${this.server.port}`;
    const body = opts.sdp === false ? '' : sdpFor('sipp', this.address, 16000).replace('1234 5678', '53655765 2353687637');
    const display = opts.display ?? 'SIPp Caller';
    const headers: Header[] = [
      ['Via', `SIP/2.0/UDP ${this.name};branch=z9hG4bK-${this.pid}-${this.n}-0`],
      ['From', `"${display}" <sip:${opts.from_user ?? '5551000'}@${this.name}>;tag=${fromTag}`],
      ['To', `<${ruri}>`], ['Call-ID', callId], ['CSeq', '1 INVITE'], ['Contact', `<sip:${opts.from_user ?? '5551000'}@${this.name}>`],
      ['Max-Forwards', '70'], ['User-Agent', 'SIPp'], ...(opts.headers ?? []),
    ];
    if (body) headers.push(['Content-Type', 'application/sdp']);
    headers.push(['Content-Length', String(Buffer.byteLength(body)).padStart(5)]);
    const invite: SipMessage = { kind: 'request', method: 'INVITE', uri: ruri, version: 'SIP/2.0', status: 0, reason: '', headers, body };
    const handle = new CallHandle(this, invite, callId, fromTag);
    this.calls.set(callId, handle);
    this.send(invite);
    return handle;
  }

  /** Drops a finished call (benches: bounded memory). */
  forget(callId: string): void {
    this.calls.delete(callId);
  }

  protected override onMessage(msg: SipMessage): void {
    const callId = getHeader(msg, 'call-id') ?? '';
    const call = this.calls.get(callId);
    if (msg.kind === 'response') {
      const cseq = parseCSeq(msg);
      if (call && cseq.method === 'INVITE' && cseq.seq === 1) call.onResponse(msg);
      else if (call && cseq.method === 'INVITE' && msg.status >= 200) this.sendInDialog(call, 'ACK', cseq.seq);
      if (call) call.inDialogResponses.push(msg);
      return;
    }
    if (msg.method === 'BYE') {
      this.reply(msg, 200, 'OK', { contact: true });
      call?.onBye();
      return;
    }
    if (msg.method !== 'ACK') this.reply(msg, 200, 'OK', { contact: true });
  }

  sendAck(call: CallHandle, res: SipMessage, failure = false): void {
    const branch = failure ? `z9hG4bK-${this.pid}-${callIndex(call)}-0` : `z9hG4bK-${this.pid}-${callIndex(call)}-${hex(3)}`;
    const uri = failure ? call.invite.uri : (call.target ?? call.invite.uri);
    const headers: Header[] = [
      ['Via', `SIP/2.0/UDP ${this.name};branch=${branch}`], ['From', getHeader(call.invite, 'from') ?? ''], ['To', getHeader(res, 'to') ?? ''],
      ['Call-ID', call.callId], ['CSeq', '1 ACK'], ['Contact', getHeader(call.invite, 'contact') ?? ''], ['Max-Forwards', '70'], ['Content-Length', '0'],
    ];
    this.send({ kind: 'request', method: 'ACK', uri, version: 'SIP/2.0', status: 0, reason: '', headers, body: '' });
  }

  sendCancel(call: CallHandle): void {
    const headers: Header[] = [
      ['Via', getHeader(call.invite, 'via') ?? ''], ['From', getHeader(call.invite, 'from') ?? ''], ['To', getHeader(call.invite, 'to') ?? ''],
      ['Call-ID', call.callId], ['CSeq', '1 CANCEL'], ['Max-Forwards', '70'], ['Content-Length', '0'],
    ];
    this.send({ kind: 'request', method: 'CANCEL', uri: call.invite.uri, version: 'SIP/2.0', status: 0, reason: '', headers, body: '' });
  }

  sendInDialog(call: CallHandle, method: string, seq: number, body = '', contentType?: string): void {
    const headers: Header[] = [
      ['Via', `SIP/2.0/UDP ${this.name};branch=z9hG4bK-${this.pid}-${callIndex(call)}-${hex(3)}`], ['From', getHeader(call.invite, 'from') ?? ''],
      ['To', call.to ?? ''], ['Call-ID', call.callId], ['CSeq', `${seq} ${method}`], ['Contact', getHeader(call.invite, 'contact') ?? ''], ['Max-Forwards', '70'],
    ];
    if (method === 'INVITE') headers.push(['User-Agent', 'SIPp']);
    if (body) headers.push(['Content-Type', contentType ?? 'application/sdp']);
    headers.push(['Content-Length', body ? String(Buffer.byteLength(body)).padStart(5) : '0']);
    this.send({ kind: 'request', method, uri: call.target ?? call.invite.uri, version: 'SIP/2.0', status: 0, reason: '', headers, body });
  }

  /** Sends an out-of-dialog request (OPTIONS, REGISTER, MESSAGE) and resolves with its final response. */
  async request(method: string, opts: { user?: string; headers?: Header[]; body?: string } = {}): Promise<SipMessage> {
    this.n++;
    const callId = `${this.n}-${this.pid}@${this.address.host}`;
    const ruri = `sip:${opts.user ? `${opts.user}@` : ''}${this.server.host}:${this.server.port}`;
    const headers: Header[] = [
      ['Via', `SIP/2.0/UDP ${this.name};branch=z9hG4bK-${this.pid}-${this.n}-0`], ['From', `<sip:probe@${this.name}>;tag=${this.pid}SIPpTag00${this.n}`],
      ['To', `<${ruri}>`], ['Call-ID', callId], ['CSeq', `1 ${method}`], ['Max-Forwards', '70'], ['Contact', `<sip:probe@${this.name}>`],
      ...(opts.headers ?? []), ['Content-Length', String(Buffer.byteLength(opts.body ?? ''))],
    ];
    this.send({ kind: 'request', method, uri: ruri, version: 'SIP/2.0', status: 0, reason: '', headers, body: opts.body ?? '' });
    return this.waitFor((m) => m.kind === 'response' && m.status >= 200 && getHeader(m, 'call-id') === callId, 10_000, `final answer to ${method}`);
  }
}

function callIndex(call: CallHandle): string {
  return call.callId.split('-')[0] ?? '1';
}

// -------------------------------------------------------------------------------------------------------------
// Raw sender (the capture tool's lib/rawsip: broken input, hand-written requests)
// -------------------------------------------------------------------------------------------------------------

/** Sends text as given. Like the recordings' raw sender, it ACKs failure answers to its INVITEs (01, 11a) and nothing else. */
export class RawPeer extends SipPeer {
  private readonly inviteUris = new Map<string, string>();

  override sendText(text: string | Buffer, to: Address = this.server): void {
    // Only what parses as SIP/2.0 is remembered (an INVITE … SIP/3.0 was not ACKed in 11a).
    if (typeof text === 'string' && /^INVITE \S+ SIP\/2\.0\r\n/.test(text)) {
      const uri = text.split(' ')[1] ?? '';
      const cid = /\r\nCall-ID:\s*([^\r]*)/i.exec(text)?.[1];
      if (cid) this.inviteUris.set(cid.trim(), uri);
    }
    super.sendText(text, to);
  }

  protected override onMessage(msg: SipMessage): void {
    if (msg.kind !== 'response' || msg.status < 300) return;
    const cseq = parseCSeq(msg);
    const cid = getHeader(msg, 'call-id') ?? '';
    const uri = this.inviteUris.get(cid);
    if (cseq.method !== 'INVITE' || !uri) return;
    const headers: Header[] = [
      ['Via', getHeader(msg, 'via') ?? ''], ['From', getHeader(msg, 'from') ?? ''], ['To', getHeader(msg, 'to') ?? ''],
      ['Call-ID', cid], ['CSeq', `${cseq.seq} ACK`], ['Max-Forwards', '70'], ['Content-Length', '0'],
    ];
    this.send({ kind: 'request', method: 'ACK', uri, version: 'SIP/2.0', status: 0, reason: '', headers, body: '' });
  }
}
