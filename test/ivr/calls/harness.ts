import { expect } from 'chai';
import { Billing } from '../../../billing/billing';
import { callRecordById } from '../../../billing/calls/call-records';
import type { CallRecord } from '../../../billing/calls/call-records';
import { availableMinor } from '../../../billing/cards/card';
import { cardById } from '../../../billing/cards/card-rows';
import type { Rate } from '../../../billing/rating/rate';
import { RATE_SCALE } from '../../../billing/rating/rate';
import { importDeck } from '../../../billing/rating/rate-store';
import type { BillingPolicy } from '../../../billing/shared/context';
import { MemoryLogger } from '../../../billing/shared/logger';
import { verifyLedger } from '../../../billing/verify/ledger-verify';
import { AriTelephony } from '../../../ivr/ari/ari-telephony';
import type { CallClock } from '../../../ivr/calls/call-clock';
import { scaledCallClock } from '../../../ivr/calls/call-clock';
import type { CallMetrics, CallOutcome } from '../../../ivr/calls/call-metrics';
import { IvrApp } from '../../../ivr/calls/ivr-app';
import type { IvrOptions } from '../../../ivr/calls/ivr-options';
import { ivrOptions } from '../../../ivr/calls/ivr-options';
import { AriSimulator } from '../../../ivr/sim/ari-simulator';
import type { SimRecord } from '../../../ivr/sim/core';
import type { FarEnd } from '../../../ivr/sim/far-end';
import type { SimCall } from '../../../ivr/sim/inbound-call';
import type { AriSimulatorOptions } from '../../../ivr/sim/options';
import type { Kind, TestBilling } from '../../support/databases';
import { createTestBilling } from '../../support/databases';

/** Simulator and IVR run ten times faster than real time: a 30-second call takes 3 s. */
export const SPEED = 10;
const USER = 'ivr';
const PASSWORD = 'secret';
export const ACCESS = '8005550100';

const perMinute = (cents: number): number => cents * RATE_SCALE;
const rate = (prefix: string, destination: string, cents_per_min: number, inc: [number, number], extra: Partial<Rate> = {}): Rate => ({
  prefix, destination, rate_per_minute_scaled: perMinute(cents_per_min), connect_fee_minor: 0,
  initial_increment_s: inc[0], increment_s: inc[1], min_charge_minor: 0, blocked: false, ...extra,
});

/** The test deck: +1 at 60¢/min by the second (1 ¢/s), +44 at 60¢/min in 6/6, +1900 blocked. */
export const TEST_RATES: readonly Rate[] = [
  rate('1', 'USA', 60, [1, 1]),
  rate('44', 'United Kingdom', 60, [6, 6]),
  rate('1900', 'USA premium', 300, [60, 60], { blocked: true }),
];
/** A US number (national form) and a UK number (international form) as keyed. */
export const US_NUMBER = '2125551234';
export const UK_NUMBER = '00442071838750';

export class RecordingMetrics implements CallMetrics {
  sessions = 0;
  readonly outcomes: CallOutcome[] = [];
  billed_s = 0;
  sessionStarted(): void { this.sessions++; }
  sessionEnded(): void { this.sessions--; }
  callEnded(outcome: CallOutcome, billed_s: number): void {
    this.outcomes.push(outcome);
    this.billed_s += billed_s;
  }
}

export interface IvrInstance {
  app: IvrApp;
  tel: AriTelephony;
  metrics: RecordingMetrics;
  /** Detaches the IVR as a dying process would (no hang-up, no billing) and drops its ARI connection. */
  kill(): Promise<void>;
}

export interface Rig {
  tb: TestBilling;
  sim: AriSimulator;
  clock: CallClock;
  log: MemoryLogger;
  ivr: IvrInstance;
  options: IvrOptions;
  /** Every ARI request the app made, in order. */
  requests: Array<{ method: string; path: string }>;
  /** Starts another IVR process on the same database: by default on the rig's simulator with the rig's options. */
  startIvr(o?: StartIvrOptions): Promise<IvrInstance>;
  /** Another Asterisk (simulator) at the same speed, stopped with the rig. */
  addSimulator(): Promise<{ sim: AriSimulator; url: string }>;
  issueCard(value_minor: number, currency?: string): Promise<{ card_id: number; number: string; pin: string }>;
  call(callerNumber?: string): Caller;
  stop(): Promise<void>;
}

export interface StartIvrOptions {
  /** Options of this IVR process over the rig's (e.g. another nodeId). */
  ivr?: Partial<IvrOptions>;
  /** The Asterisk it connects to (default: the rig's simulator). */
  simUrl?: string;
  /** Its own database connection, as a separate process has (default: the rig's). */
  ownConnection?: boolean;
}

export interface RigOptions {
  kind?: Kind;
  ivr?: Partial<IvrOptions>;
  policy?: Partial<BillingPolicy>;
  /** Event-socket reconnection attempts before giving up (ConnectionLost); default 100. */
  ariReconnectAttempts?: number;
  /** Simulator options (e.g. how long a bridge teardown takes, which racing plays are lost). */
  sim?: Partial<AriSimulatorOptions>;
}

export async function startRig(o: RigOptions = {}): Promise<Rig> {
  const tb = await createTestBilling(o.kind ?? 'sqlite', o.policy ?? {});
  await importDeck(tb.billing.db, 'default', 'USD', TEST_RATES, tb.clock.now().getTime());
  const sim = new AriSimulator({ user: USER, password: PASSWORD, speed: SPEED, mediaDuration: () => 300, ...o.sim });
  const url = await sim.start();
  const requests: Array<{ method: string; path: string }> = [];
  sim.on('request', (r: { method: string; path: string }) => requests.push(r));
  const clock = scaledCallClock(SPEED);
  const log = new MemoryLogger();
  const options = ivrOptions({
    languages: ['en'], clock, chunk_s: 5, reserveAhead_s: 2, warnBefore_s: 10, ringTimeout_s: 15, nodeId: 'test',
    firstDigitTimeout_ms: 5000, interDigitTimeout_ms: 3000, anotherCallTimeout_ms: 3000,
    // 1 s of wall time before a prompt that has not started is played again: no spurious retry on a loaded machine.
    playbackStartTimeout_ms: 10_000, ...o.ivr,
  });
  const instances: IvrInstance[] = [];
  const sims: AriSimulator[] = [];
  const startIvr = async (so: StartIvrOptions = {}): Promise<IvrInstance> => {
    const tel = new AriTelephony({ restTimeout_ms: 3000, backoff: { initialDelay_ms: 20, maxDelay_ms: 100, maxAttempts: o.ariReconnectAttempts ?? 100 } });
    await tel.connect({ url: so.simUrl ?? url, user: USER, password: PASSWORD, app: 'prepaid' });
    const metrics = new RecordingMetrics();
    const own = so.ivr ? ivrOptions({ ...options, ...so.ivr }) : options;
    const db = so.ownConnection ? tb.tdb.open() : undefined;
    const billing = db ? new Billing(db, tb.billing.hasher, tb.billing.clock, tb.billing.policy) : tb.billing;
    const app = new IvrApp({ tel, billing, options: own, log: so.ivr?.nodeId ? log.child({ node: so.ivr.nodeId }) : log, metrics });
    await app.start();
    let killed = false;
    const inst: IvrInstance = {
      app, tel, metrics,
      async kill() {
        if (killed) return;
        killed = true;
        await app.stop();
        await tel.close();
        await db?.close();
      },
    };
    instances.push(inst);
    return inst;
  };
  const addSimulator = async () => {
    const other = new AriSimulator({ user: USER, password: PASSWORD, speed: SPEED, mediaDuration: () => 300 });
    sims.push(other);
    return { sim: other, url: await other.start() };
  };
  const ivr = await startIvr();
  return {
    tb, sim, clock, log, ivr, options, startIvr, requests, addSimulator,
    issueCard: async (value_minor, currency = 'USD') => tb.billing.issueCard({ value_minor, currency }),
    call: (callerNumber = '+15551230001') => new Caller(sim, sim.placeInboundCall({ callerNumber, accessNumber: ACCESS, args: ['access', ACCESS] })),
    async stop() {
      for (const i of instances) await i.kill().catch(() => undefined);
      await sim.stop();
      for (const other of sims) await other.stop();
      await tb.close();
    },
  };
}

const promptOf = (uri: string): string => uri.replace(/^sound:prepaid\/[a-z]{2}\//, '');

/** A scripted caller: waits for prompts by the media URIs the simulator played, and presses keys. */
export class Caller {
  private cursor = 0;

  constructor(readonly sim: AriSimulator, readonly call: SimCall) {}

  get channelId(): string {
    return this.call.channelId;
  }

  /** Prompt ids heard so far (language folder stripped). */
  prompts(): string[] {
    return this.call.prompts().map(promptOf);
  }

  /** Media URIs heard so far. */
  media(): string[] {
    return this.call.prompts();
  }

  /** Waits until prompt `id` starts playing (after those already awaited); fails after `timeout_ms` of real time. */
  async heard(id: string, timeout_ms = 8000): Promise<void> {
    const deadline = Date.now() + timeout_ms;
    for (;;) {
      const all = this.prompts();
      const i = all.indexOf(id, this.cursor);
      if (i !== -1) {
        this.cursor = i + 1;
        return;
      }
      if (this.call.hasEnded) throw new Error(`call ended before "${id}"; heard: ${all.join(' ')}`);
      if (Date.now() > deadline) throw new Error(`no "${id}" within ${timeout_ms} ms; heard: ${all.join(' ')}`);
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  async press(digits: string): Promise<void> {
    await this.call.sendDtmf(digits);
  }

  async login(card: { number: string; pin: string }): Promise<void> {
    await this.heard('enter_card_number');
    await this.press(`${card.number}#`);
    await this.heard('enter_pin');
    await this.press(`${card.pin}#`);
  }

  async dialAfterBalance(number: string): Promise<void> {
    await this.heard('enter_destination');
    await this.press(`${number}#`);
  }

  hangup(): void {
    this.call.hangup();
  }

  async ended(timeout_ms = 15000): Promise<void> {
    await Promise.race([
      this.call.ended,
      new Promise((_, reject) => setTimeout(() => reject(new Error(`call still up after ${timeout_ms} ms; heard: ${this.prompts().join(' ')}`)), timeout_ms)),
    ]);
  }
}

/** What the app did to one channel, from the simulator's records. */
export function recordsOf(sim: AriSimulator, channelId: string, kind?: SimRecord['kind']): SimRecord[] {
  return sim.records().filter((r) => r.channelId === channelId && (kind === undefined || r.kind === kind));
}

/** The outbound legs the app originated, in order. */
export function originated(sim: AriSimulator): SimRecord[] {
  return sim.records().filter((r) => r.kind === 'originate');
}

/** DELETE /channels/{id} requests: the app hanging a channel up. */
export function appHangups(rig: Pick<Rig, 'requests'>, channelId: string): number {
  return rig.requests.filter((r) => r.method === 'DELETE' && r.path.includes(`/channels/${channelId}`)).length;
}

export function farEnd(sim: AriSimulator, fe: FarEnd): void {
  sim.setFarEnd(() => fe);
}

export async function callRecordsOfCard(rig: Rig, card_id: number): Promise<CallRecord[]> {
  const ids = await rig.tb.billing.db.all<{ id: string }>('SELECT id FROM call_records WHERE card_id = ? ORDER BY started_at_ms', [card_id]);
  const out: CallRecord[] = [];
  for (const { id } of ids) out.push((await callRecordById(rig.tb.billing.db, id)) as CallRecord);
  return out;
}

export async function pendingHoldCount(rig: Rig): Promise<number> {
  const r = await rig.tb.billing.db.one<{ n: number }>("SELECT COUNT(*) AS n FROM holds WHERE status = 'pending'");
  return Number(r?.n ?? 0);
}

/** The books balance, nothing is held, and no card has spent more than it had. */
export async function expectSoundBooks(rig: Rig): Promise<void> {
  const report = await verifyLedger(rig.tb.billing.db);
  expect(report.violations, JSON.stringify(report.violations)).to.deep.equal([]);
  const bad = await rig.tb.billing.db.all('SELECT id FROM cards WHERE balance_minor < pending_minor OR balance_minor < 0');
  expect(bad).to.deep.equal([]);
}

export async function balanceOf(rig: Rig, card_id: number): Promise<{ balance: number; available: number; pending: number }> {
  const c = await cardById(rig.tb.billing.db, card_id);
  if (!c) throw new Error('no card');
  return { balance: c.balance_minor, available: availableMinor(c), pending: c.pending_minor };
}

export const sleepCall = (rig: Rig, call_ms: number): Promise<void> => new Promise((r) => rig.clock.after(call_ms, r));

/** A caller logged in with `card`, dialled US_NUMBER, and bridged to the answered far end. */
export async function talking(rig: Rig, card: { number: string; pin: string }, callerNumber?: string): Promise<Caller> {
  const caller = rig.call(callerNumber);
  await caller.login(card);
  await caller.dialAfterBalance(US_NUMBER);
  await caller.heard('for_this_call');
  while (recordsOf(rig.sim, caller.channelId, 'bridge-add').length === 0) await new Promise((r) => setTimeout(r, 5));
  return caller;
}

/** The card's latest call record once it is no longer active (or as it is after `limit_ms`). */
export async function settledRecord(rig: Rig, card_id: number, limit_ms = 8000): Promise<CallRecord | undefined> {
  const deadline = Date.now() + limit_ms;
  for (;;) {
    const [rec] = await callRecordsOfCard(rig, card_id);
    if (rec?.status !== 'active' || Date.now() > deadline) return rec;
    await new Promise((r) => setTimeout(r, 20));
  }
}
