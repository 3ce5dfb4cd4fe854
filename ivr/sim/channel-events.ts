import { causeText } from './causes';
import type { SimCore } from './core';
import type { ChannelState, SimChannel } from './model';
import { channelJson } from './model';

type Fields = ReadonlyArray<readonly [string, unknown]>;

/** Sends a channel event (`…, channel`) to the app subscribed to the channel, if any. */
export function emitChannel(core: SimCore, ch: SimChannel, type: string, fields: Fields = [], lead: Fields = []): void {
  core.bus.send(ch.subscribedApp, type, [...fields, ['channel', channelJson(ch, core.opts.language)]], lead);
}

export function emitDial(core: SimCore, peer: SimChannel, dialstatus: string, dialstring: string): void {
  core.bus.send(peer.subscribedApp, 'Dial', [
    ['dialstatus', dialstatus],
    ['forward', ''],
    ['dialstring', dialstring],
    ['peer', channelJson(peer, core.opts.language)],
  ]);
}

export function setState(core: SimCore, ch: SimChannel, state: ChannelState): void {
  ch.state = state;
  emitChannel(core, ch, 'ChannelStateChange');
  core.observer.emit('channel-state', { channelId: ch.id, state });
}

export function varset(core: SimCore, ch: SimChannel, variable: string, value: string): void {
  emitChannel(core, ch, 'ChannelVarset', [], [['variable', variable], ['value', value]]);
}

/** `cause,[soft,][tech_cause,]type,…`: omitted keys stay out (a SIP BYE has no cause at all). */
export function emitHangupRequest(core: SimCore, ch: SimChannel, h: { cause?: number; soft?: boolean; techCause?: number }): void {
  const lead: Array<readonly [string, unknown]> = [];
  if (h.cause !== undefined) lead.push(['cause', h.cause]);
  if (h.soft) lead.push(['soft', true]);
  if (h.techCause !== undefined) lead.push(['tech_cause', h.techCause]);
  emitChannel(core, ch, 'ChannelHangupRequest', [], lead);
}

export function enterStasis(core: SimCore, ch: SimChannel, app: string, args: string[], withVarset: boolean): void {
  ch.stasisApp = app;
  ch.subscribedApp = app;
  ch.stasisArgs = args;
  ch.dialplan = { ...ch.dialplan, app_name: 'Stasis', app_data: [app, ...args].join(',') };
  if (withVarset) varset(core, ch, 'STASISSTATUS', '');
  emitChannel(core, ch, 'StasisStart', [['args', args]]);
}

/** StasisEnd; a channel that entered Stasis from the dialplan is unsubscribed at once (no ChannelDestroyed follows). */
export function leaveStasis(core: SimCore, ch: SimChannel): void {
  if (ch.stasisApp === undefined) return;
  emitChannel(core, ch, 'StasisEnd');
  ch.stasisApp = undefined;
  if (ch.origin === 'inbound' || ch.stasisFromDialplan === true) {
    ch.subscribedApp = undefined;
    return;
  }
  varset(core, ch, 'STASISSTATUS', 'SUCCESS');
  if (ch.origin === 'originate') ch.dialplan = { ...ch.dialplan, app_name: 'AppDial2', app_data: '(Outgoing Line)' };
}

/** The channel is gone: ChannelDestroyed to its subscriber, timers cancelled, removed from every list. */
export function destroyChannel(core: SimCore, ch: SimChannel, cause: number, techCause?: number): void {
  if (!ch.alive) return;
  ch.alive = false;
  for (const t of ch.timers) core.cancel(t);
  ch.timers.clear();
  core.cancel(ch.absoluteTimer);
  const fields: Array<readonly [string, unknown]> = [['cause', cause], ['cause_txt', causeText(cause)]];
  if (techCause !== undefined) fields.push(['tech_cause', techCause]);
  emitChannel(core, ch, 'ChannelDestroyed', fields);
  ch.subscribedApp = undefined;
  core.channels.delete(ch.id);
  core.record({ kind: 'hangup', channelId: ch.id, detail: { cause } });
  core.observer.emit('channel-destroyed', { channelId: ch.id, cause });
}

export function emitDtmf(core: SimCore, ch: SimChannel, digit: string, duration_ms: number): void {
  emitChannel(core, ch, 'ChannelDtmfReceived', [['digit', digit], ['duration_ms', duration_ms]]);
  core.record({ kind: 'dtmf-received', channelId: ch.id, detail: { digit } });
  core.observer.emit('dtmf', { channelId: ch.id, digit });
}

/** The five RTPAUDIOQOS* variables chan_pjsip sets just before an answered SIP channel hangs up. */
export function emitRtpQos(core: SimCore, ch: SimChannel): void {
  if (ch.technology !== 'PJSIP' || ch.state !== 'Up') return;
  const stats = (names: string[]): string => names.map((n) => `${n}=000.000000`).join(';') + ';';
  varset(core, ch, 'RTPAUDIOQOS', 'ssrc=0;themssrc=0;lp=0;rxjitter=0.000000;rxcount=0;txjitter=0.000000;txcount=0;rlp=0;rtt=0.000000;rxmes=0.000000;txmes=0.000000');
  varset(core, ch, 'RTPAUDIOQOSJITTER', stats(['minrxjitter', 'maxrxjitter', 'avgrxjitter', 'stdevrxjitter', 'mintxjitter', 'maxtxjitter', 'avgtxjitter', 'stdevtxjitter']));
  varset(core, ch, 'RTPAUDIOQOSLOSS', stats(['minrxlost', 'maxrxlost', 'avgrxlost', 'stdevrxlost', 'mintxlost', 'maxtxlost', 'avgtxlost', 'stdevtxlost']));
  varset(core, ch, 'RTPAUDIOQOSRTT', stats(['minrtt', 'maxrtt', 'avgrtt', 'stdevrtt']));
  varset(core, ch, 'RTPAUDIOQOSMES', stats(['minrxmes', 'maxrxmes', 'avgrxmes', 'stdevrxmes', 'mintxmes', 'maxtxmes', 'avgtxmes', 'stdevtxmes']));
}
