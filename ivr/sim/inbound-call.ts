import { enterStasis } from './channel-events';
import type { SimCore } from './core';
import type { CallerStep } from './far-end';
import { remoteHangup } from './hangup';
import type { SimChannel } from './model';
import { sendDtmf, runScript } from './scripts';

export interface InboundCallOptions {
  callerNumber: string;
  callerName?: string;
  /** The dialled access number: the channel's `dialplan.exten`. */
  accessNumber: string;
  /** Stasis app; default: the first registered one. */
  app?: string;
  /** Stasis arguments; default `[accessNumber]`, as `Stasis(prepaid,${EXTEN})` gives. */
  args?: string[];
  /** PJSIP endpoint the call comes from (channel name `PJSIP/<endpoint>-<hex>`). */
  endpoint?: string;
  context?: string;
  /** Caller actions timed from the moment the app answers. */
  script?: CallerStep[];
}

/** Who ended the call: the caller (BYE/CANCEL), the app (DELETE), or Asterisk (TIMEOUT(absolute)). */
export type CallEnd = { by: 'caller' | 'app' | 'timeout'; cause: number };

/** A scripted caller on a SIP inbound channel that entered Stasis from the dialplan. */
export class SimCall {
  readonly channelId: string;
  readonly answered: Promise<void>;
  readonly ended: Promise<CallEnd>;
  private readonly media: string[] = [];
  private isAnswered = false;
  private isEnded = false;

  constructor(private readonly core: SimCore, private readonly channel: SimChannel, script: readonly CallerStep[]) {
    this.channelId = channel.id;
    const obs = core.observer;
    let onAnswer: () => void = () => {};
    this.answered = new Promise((resolve) => { onAnswer = resolve; });
    this.ended = new Promise((resolve) => {
      const onState = (e: { channelId: string; state: string }): void => {
        if (e.channelId !== this.channelId || e.state !== 'Up' || this.isAnswered) return;
        this.isAnswered = true;
        onAnswer();
        runScript(core, channel, script);
      };
      const onPlayback = (e: { type: string; channelId?: string; mediaUri: string }): void => {
        if (e.channelId === this.channelId && e.type === 'PlaybackStarted') this.media.push(e.mediaUri);
      };
      const onDestroyed = (e: { channelId: string; cause: number }): void => {
        if (e.channelId !== this.channelId) return;
        obs.off('channel-state', onState);
        obs.off('playback', onPlayback);
        obs.off('channel-destroyed', onDestroyed);
        this.isEnded = true;
        const by = channel.endedBy;
        resolve({ by: by === 'remote' ? 'caller' : by === 'timeout' ? 'timeout' : 'app', cause: e.cause });
      };
      obs.on('channel-state', onState);
      obs.on('playback', onPlayback);
      obs.on('channel-destroyed', onDestroyed);
    });
  }

  get wasAnswered(): boolean {
    return this.isAnswered;
  }

  get hasEnded(): boolean {
    return this.isEnded;
  }

  /** Media URIs the caller has heard start, in order (each item of a multi-media playback). */
  prompts(): string[] {
    return [...this.media];
  }

  /** RFC 4733 digits from the caller; resolves once the last one has been received. */
  sendDtmf(digits: string, opts: { duration_ms?: number; gap_ms?: number } = {}): Promise<void> {
    return sendDtmf(this.core, this.channel, digits, opts.duration_ms, opts.gap_ms);
  }

  /** BYE when answered, CANCEL before. */
  hangup(): void {
    if (!this.channel.alive) return;
    remoteHangup(this.core, this.channel);
  }
}

export function placeInboundCall(core: SimCore, o: InboundCallOptions): SimCall {
  const app = o.app ?? core.bus.appNames()[0];
  if (app === undefined || !core.bus.hasApp(app)) throw new Error('no Stasis app is registered: connect the app first');
  const now = Date.now();
  const args = o.args ?? [o.accessNumber];
  const endpoint = o.endpoint ?? core.opts.pjsipEndpoints[0] ?? 'trunk';
  const ch: SimChannel = {
    id: core.ids.uniqueId(now),
    name: `PJSIP/${endpoint}-${core.ids.nameSuffix()}`,
    state: 'Ring',
    protocolId: core.ids.callId(),
    caller: { name: o.callerName ?? '', number: o.callerNumber },
    connected: { name: '', number: '' },
    dialplan: { context: o.context ?? core.opts.pjsipContext, exten: o.accessNumber, priority: 2, app_name: 'Stasis', app_data: '' },
    creationtime: new Date(now).toISOString().replace('Z', '+0000'),
    technology: 'PJSIP',
    origin: 'inbound',
    stasisArgs: [],
    vars: new Map(),
    reportedVars: new Set(),
    alive: true,
    hangingUp: false,
    timers: new Set(),
  };
  core.channels.set(ch.id, ch);
  const call = new SimCall(core, ch, o.script ?? []);
  // Entered from the dialplan: no ChannelVarset before StasisStart (the app was not subscribed yet).
  enterStasis(core, ch, app, args, false);
  return call;
}
