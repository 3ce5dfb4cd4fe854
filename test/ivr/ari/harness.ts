import { AriTelephony } from '../../../ivr/ari/ari-telephony';
import type { AriTelephonyOptions } from '../../../ivr/ari/ari-telephony';
import type { TelephonyEvent } from '../../../ivr/ari/telephony';
import { AriSimulator } from '../../../ivr/sim/ari-simulator';
import type { AriSimulatorOptions } from '../../../ivr/sim/options';

export const APP = 'prepaid';
export const USER = 'ivr';
export const PASSWORD = 'secret';

export interface Rig {
  sim: AriSimulator;
  tel: AriTelephony;
  events: TelephonyEvent[];
  stop(): Promise<void>;
}

/** A simulator (20× speed, short media) and an AriTelephony connected to it, recording every event. */
export async function startRig(simOptions: Partial<AriSimulatorOptions> = {}, telOptions: AriTelephonyOptions = {}): Promise<Rig> {
  const sim = new AriSimulator({ user: USER, password: PASSWORD, speed: 20, mediaDuration: () => 400, ...simOptions });
  const url = await sim.start();
  const tel = new AriTelephony({ restTimeout_ms: 2000, backoff: { initialDelay_ms: 20, maxDelay_ms: 100, maxAttempts: 50 }, ...telOptions });
  const events: TelephonyEvent[] = [];
  tel.on((e) => events.push(e));
  await tel.connect({ url, user: USER, password: PASSWORD, app: APP });
  return {
    sim,
    tel,
    events,
    async stop() {
      await tel.close();
      await sim.stop();
    },
  };
}

type EventOf<T extends TelephonyEvent['type']> = Extract<TelephonyEvent, { type: T }>;

/** Resolves with the first matching event, already received or still to come; rejects after `timeout_ms`. */
export function waitForEvent<T extends TelephonyEvent['type']>(
  rig: Pick<Rig, 'tel' | 'events'>,
  type: T,
  match: (e: EventOf<T>) => boolean = () => true,
  timeout_ms = 3000,
): Promise<EventOf<T>> {
  const matches = (e: TelephonyEvent): e is EventOf<T> => e.type === type && match(e as EventOf<T>);
  const past = rig.events.find(matches);
  if (past) return Promise.resolve(past);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`no ${type} within ${timeout_ms} ms`));
    }, timeout_ms);
    const off = rig.tel.on((e) => {
      if (matches(e)) {
        clearTimeout(timer);
        off();
        resolve(e);
      }
    });
  });
}

/** An inbound call that has entered Stasis, as the adapter saw it. */
export async function inboundCall(rig: Rig, opts: Parameters<AriSimulator['placeInboundCall']>[0] = { callerNumber: '5551000', accessNumber: '8005550100' }) {
  const call = rig.sim.placeInboundCall(opts);
  const event = await waitForEvent(rig, 'StasisStart', (e) => e.channel.id === call.channelId);
  return { call, event };
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
