import { z } from 'zod';
import type { BridgeInfo, ChannelInfo, PlaybackInfo, TelephonyEvent } from './telephony';

const channelSchema = z.object({
  id: z.string(),
  name: z.string(),
  state: z.string(),
  caller: z.object({ name: z.string(), number: z.string() }),
  dialplan: z.object({ context: z.string(), exten: z.string(), app_name: z.string(), app_data: z.string() }),
  creationtime: z.string(),
});
const bridgeSchema = z.object({ id: z.string(), name: z.string(), bridge_type: z.string(), channels: z.array(z.string()) });
const playbackSchema = z.object({ id: z.string(), media_uri: z.string(), target_uri: z.string(), state: z.string() });

type RawChannel = z.infer<typeof channelSchema>;

export function toChannelInfo(raw: RawChannel, app: string): ChannelInfo {
  const [appName, ...args] = raw.dialplan.app_data.split(',');
  const inStasis = raw.dialplan.app_name === 'Stasis' && appName === app;
  return {
    id: raw.id,
    name: raw.name,
    state: raw.state,
    callerNumber: raw.caller.number,
    callerName: raw.caller.name,
    dialedExten: raw.dialplan.exten,
    inStasis,
    stasisArgs: inStasis ? args : [],
    creationTime: raw.creationtime,
  };
}

export function toBridgeInfo(raw: z.infer<typeof bridgeSchema>): BridgeInfo {
  return { id: raw.id, name: raw.name, bridgeType: raw.bridge_type, channelIds: [...raw.channels] };
}

function toPlaybackInfo(raw: z.infer<typeof playbackSchema>): PlaybackInfo {
  return { id: raw.id, mediaUri: raw.media_uri, targetUri: raw.target_uri, state: raw.state };
}

/** Parses a channel as returned by REST (an ari-client resource carries the JSON fields); undefined if malformed. */
export function parseChannel(raw: unknown, app: string): ChannelInfo | undefined {
  const r = channelSchema.safeParse(raw);
  return r.success ? toChannelInfo(r.data, app) : undefined;
}

export function parseBridge(raw: unknown): BridgeInfo | undefined {
  const r = bridgeSchema.safeParse(raw);
  return r.success ? toBridgeInfo(r.data) : undefined;
}

const withChannel = z.object({ channel: channelSchema });
const schemas = {
  StasisStart: withChannel.extend({ args: z.array(z.string()) }),
  StasisEnd: withChannel,
  ChannelStateChange: withChannel,
  ChannelDtmfReceived: withChannel.extend({ digit: z.string(), duration_ms: z.number() }),
  ChannelHangupRequest: withChannel.extend({ cause: z.number().optional(), soft: z.boolean().optional(), tech_cause: z.number().optional() }),
  ChannelDestroyed: withChannel.extend({ cause: z.number(), cause_txt: z.string(), tech_cause: z.number().optional() }),
  Dial: z.object({ peer: channelSchema, dialstatus: z.string(), dialstring: z.string().optional() }),
  Playback: z.object({ playback: playbackSchema }),
  BridgeMember: withChannel.extend({ bridge: bridgeSchema }),
  BridgeDestroyed: z.object({ bridge: bridgeSchema }),
} as const;

export type ParsedFrame = { ok: true; event: TelephonyEvent } | { ok: false; reason: 'not-json' | 'no-type' | 'unhandled-type' | 'malformed'; type?: string };

/**
 * Turns one WebSocket text frame into a TelephonyEvent. Anything else (bad JSON, an event type we do not use or do
 * not know, a known type with an unexpected shape) is reported as not ok: never thrown.
 */
export function parseFrame(text: string, app: string): ParsedFrame {
  let raw: unknown;
  try {
    raw = JSON.parse(text) as unknown;
  } catch {
    return { ok: false, reason: 'not-json' };
  }
  const type = typeof raw === 'object' && raw !== null ? (raw as { type?: unknown }).type : undefined;
  if (typeof type !== 'string') return { ok: false, reason: 'no-type' };
  const bad = { ok: false as const, reason: 'malformed' as const, type };
  const ch = (c: RawChannel): ChannelInfo => toChannelInfo(c, app);
  switch (type) {
    case 'StasisStart': {
      const r = schemas.StasisStart.safeParse(raw);
      return r.success ? { ok: true, event: { type, channel: ch(r.data.channel), args: r.data.args } } : bad;
    }
    case 'StasisEnd':
    case 'ChannelStateChange': {
      const r = schemas.StasisEnd.safeParse(raw);
      return r.success ? { ok: true, event: { type, channel: ch(r.data.channel) } } : bad;
    }
    case 'ChannelDtmfReceived': {
      const r = schemas.ChannelDtmfReceived.safeParse(raw);
      return r.success ? { ok: true, event: { type, channel: ch(r.data.channel), digit: r.data.digit, duration_ms: r.data.duration_ms } } : bad;
    }
    case 'ChannelHangupRequest': {
      const r = schemas.ChannelHangupRequest.safeParse(raw);
      if (!r.success) return bad;
      const { cause, soft, tech_cause } = r.data;
      return { ok: true, event: { type, channel: ch(r.data.channel), ...(cause !== undefined && { cause }), ...(soft !== undefined && { soft }), ...(tech_cause !== undefined && { techCause: tech_cause }) } };
    }
    case 'ChannelDestroyed': {
      const r = schemas.ChannelDestroyed.safeParse(raw);
      if (!r.success) return bad;
      const { cause, cause_txt, tech_cause } = r.data;
      return { ok: true, event: { type, channel: ch(r.data.channel), cause, causeText: cause_txt, ...(tech_cause !== undefined && { techCause: tech_cause }) } };
    }
    case 'Dial': {
      const r = schemas.Dial.safeParse(raw);
      return r.success ? { ok: true, event: { type, peer: ch(r.data.peer), dialStatus: r.data.dialstatus, dialString: r.data.dialstring ?? '' } } : bad;
    }
    case 'PlaybackStarted':
    case 'PlaybackContinuing':
    case 'PlaybackFinished': {
      const r = schemas.Playback.safeParse(raw);
      return r.success ? { ok: true, event: { type, playback: toPlaybackInfo(r.data.playback) } } : bad;
    }
    case 'ChannelEnteredBridge':
    case 'ChannelLeftBridge': {
      const r = schemas.BridgeMember.safeParse(raw);
      return r.success ? { ok: true, event: { type, bridge: toBridgeInfo(r.data.bridge), channel: ch(r.data.channel) } } : bad;
    }
    case 'BridgeDestroyed': {
      const r = schemas.BridgeDestroyed.safeParse(raw);
      return r.success ? { ok: true, event: { type, bridge: toBridgeInfo(r.data.bridge) } } : bad;
    }
    default:
      return { ok: false, reason: 'unhandled-type', type };
  }
}
