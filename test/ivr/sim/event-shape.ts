import type { AriEvent } from './transcripts';

/** Types the transcripts README calls noise; left out of sequence comparisons (their shapes are still checked). */
export const NOISE_TYPES = new Set(['ChannelDialplan', 'ChannelCallerId', 'ChannelConnectedLine', 'ChannelVarset', 'DeviceStateChanged', 'ChannelCreated']);

export function isSignificant(e: AriEvent): boolean {
  return !NOISE_TYPES.has(e.type);
}

/** The structure of a JSON value: key sets (recursively) and leaf types, without the values. */
export function shapeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) {
    const elems = [...new Set(v.map(shapeOf))].sort();
    return `[${elems.join('|')}]`;
  }
  if (typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b));
    return `{${entries.map(([k, x]) => `${k}:${shapeOf(x)}`).join(',')}}`;
  }
  return typeof v;
}

type ChannelLike = { name?: unknown; state?: unknown };

/** Channel name without its per-call hex counter: `Local/s@caller-wait;1`, `PJSIP/sipp`. */
export function channelLabel(ch: unknown): string {
  const c = (ch ?? {}) as ChannelLike;
  return `${String(c.name ?? '?').replace(/-[0-9a-f]{8}(?=;|$)/, '')}(${String(c.state ?? '?')})`;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Member count, plus the id when the client chose it (a UUID differs on every run). */
function bridgeLabel(bridge: unknown): string {
  const b = (bridge ?? {}) as { id?: unknown; channels?: unknown[] };
  const id = typeof b.id === 'string' && !UUID.test(b.id) ? `${b.id} ` : '';
  return `${id}members=${(b.channels ?? []).length}`;
}

/** What must match between a recorded event and the simulator's: type, channel role and state, and key values. */
export function signature(e: AriEvent): string {
  const get = (k: string): unknown => e[k];
  const channel = get('channel');
  switch (e.type) {
    case 'Dial':
      return `Dial ${channelLabel(get('peer'))} "${String(get('dialstatus'))}" ds=${get('dialstring') ? 'set' : 'empty'}`;
    case 'ChannelHangupRequest':
      return `ChannelHangupRequest ${channelLabel(channel)} cause=${String(get('cause') ?? '-')} soft=${String(get('soft') ?? '-')} tech=${String(get('tech_cause') ?? '-')}`;
    case 'ChannelDestroyed':
      return `ChannelDestroyed ${channelLabel(channel)} cause=${String(get('cause'))} tech=${String(get('tech_cause') ?? '-')}`;
    case 'ChannelDtmfReceived':
      return `ChannelDtmfReceived ${channelLabel(channel)} ${String(get('digit'))}`;
    case 'StasisStart':
      return `StasisStart ${channelLabel(channel)} args=${JSON.stringify(get('args'))}`;
    case 'PlaybackStarted':
    case 'PlaybackContinuing':
    case 'PlaybackFinished': {
      const pb = (get('playback') ?? {}) as Record<string, unknown>;
      return `${e.type} ${String(pb.state)} ${String(pb.media_uri)} next=${String(pb.next_media_uri ?? '-')}`;
    }
    case 'ChannelEnteredBridge':
    case 'ChannelLeftBridge':
      return `${e.type} ${channelLabel(channel)} ${bridgeLabel(get('bridge'))}`;
    case 'BridgeDestroyed':
      return `BridgeDestroyed ${bridgeLabel(get('bridge'))}`;
    default:
      return `${e.type} ${channel === undefined ? '' : channelLabel(channel)}`;
  }
}

/** Ids an event carries (channel, peer, playback, bridge), keyed by role, for mapping recorded ids to simulated ones. */
export function idsOf(e: AriEvent): string[] {
  const out: string[] = [];
  for (const k of ['channel', 'peer', 'playback', 'bridge']) {
    const id = (e[k] as { id?: unknown } | undefined)?.id;
    out.push(typeof id === 'string' ? id : '');
  }
  return out;
}
