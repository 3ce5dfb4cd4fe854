import { HANGUP_REASONS } from './causes';
import { emitChannel, emitDtmf, enterStasis, leaveStasis, setState } from './channel-events';
import type { SimCore } from './core';
import { createOutbound, discardSoon, enterStasisAfterCreate, enterStasisFromDialplan, progressDial, progressOriginate } from './dial';
import { parseDialTarget } from './far-end';
import { appHangup, destroyWithPeer, livePeer } from './hangup';
import type { CallerIdJson, SimChannel } from './model';
import { channelJson, playbackJson } from './model';
import { queuePlayback } from './playback';
import type { RestRequest, Route } from './rest';
import { AriHttpError, fail, listParam, noContent, ok, param } from './rest';
import { getVariable, setVariable } from './variables';

/** `"Prepaid" <5552000>`, `<5552000>` or `5552000`. */
export function parseCallerId(text: string | undefined): CallerIdJson | undefined {
  if (text === undefined || text === '') return undefined;
  const m = /^\s*(?:"([^"]*)"|([^<]*?))\s*<([^>]*)>\s*$/.exec(text);
  if (m) return { name: (m[1] ?? m[2] ?? '').trim(), number: m[3] ?? '' };
  return { name: '', number: text.trim() };
}

function bodyVariables(body: unknown): Record<string, string> {
  if (typeof body !== 'object' || body === null || !('variables' in body)) return {};
  const vars = (body as { variables: unknown }).variables;
  if (typeof vars !== 'object' || vars === null) return {};
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(vars)) {
    if (typeof v === 'string' || typeof v === 'number') out[k] = String(v);
    else if (typeof v === 'object' && v !== null && 'value' in v) out[k] = String((v as { value: unknown }).value);
  }
  return out;
}

function live(core: SimCore, req: RestRequest): SimChannel {
  const ch = core.liveChannel(req.params.channelId ?? '');
  if (!ch) throw fail(404, 'Channel not found');
  return ch;
}

function inStasis(core: SimCore, req: RestRequest): SimChannel {
  const ch = live(core, req);
  if (ch.stasisApp === undefined) throw fail(409, 'Channel not in Stasis application');
  return ch;
}

function outbound(core: SimCore, req: RestRequest, mode: 'originate' | 'create') {
  const endpoint = param(req, 'endpoint');
  if (endpoint === undefined || endpoint === '') throw fail(400, 'Endpoint must be specified');
  const app = param(req, 'app');
  if (mode === 'originate' && !app && !param(req, 'extension')) throw fail(400, 'Application or extension must be specified');
  if (!endpoint.includes('/')) throw fail(400, 'Invalid endpoint specified');
  const target = parseDialTarget(endpoint);
  if (!target || (target.technology === 'PJSIP' && !core.opts.pjsipEndpoints.includes(target.resource))) {
    throw new AriHttpError(500, { error: 'Allocation failed' });
  }
  const channelId = req.params.channelId ?? param(req, 'channelId');
  const otherChannelId = param(req, 'otherChannelId');
  for (const id of [channelId, otherChannelId]) {
    if (id !== undefined && core.channels.has(id)) throw fail(409, 'Channel with given unique ID already exists');
  }
  const timeoutText = param(req, 'timeout');
  const parsedTimeout = timeoutText === undefined ? 30 : Number.parseInt(timeoutText, 10);
  const timeout_s = Number.isNaN(parsedTimeout) ? 30 : Math.max(0, parsedTimeout);
  const appArgsText = param(req, 'appArgs');
  const ch = createOutbound(core, {
    target, mode, app, channelId, otherChannelId, timeout_s,
    appArgs: appArgsText === undefined || appArgsText === '' ? [] : appArgsText.split(','),
    callerId: parseCallerId(param(req, 'callerId')),
    variables: bodyVariables(req.body),
  });
  const json = channelJson(ch, core.opts.language);
  const dialplanApp = ch.dial?.farEnd.outcome === 'stasis' ? ch.dial.farEnd.app ?? core.bus.appNames()[0] : undefined;
  if (app === undefined && ch.peer && dialplanApp !== undefined && core.bus.hasApp(dialplanApp)) enterStasisFromDialplan(core, ch, dialplanApp);
  else if (app === undefined || !core.bus.hasApp(app)) discardSoon(core, ch);
  else if (mode === 'originate') progressOriginate(core, ch, app);
  else enterStasisAfterCreate(core, ch, app);
  return ok(json);
}

function hangupCause(req: RestRequest): number {
  const code = param(req, 'reason_code');
  if (code !== undefined) {
    if (!/^\d+$/.test(code)) throw fail(400, 'Invalid reason for hangup reason code provided');
    return Number(code);
  }
  const reason = param(req, 'reason');
  if (reason === undefined) return 16;
  const cause = HANGUP_REASONS[reason];
  if (cause === undefined) throw fail(400, 'Invalid reason for hangup reason provided');
  return cause;
}

function play(core: SimCore, req: RestRequest) {
  const ch = inStasis(core, req);
  const media = listParam(req, 'media');
  if (media.length === 0) throw fail(500, 'Failed to queue media for playback');
  const pb = {
    id: req.params.playbackId ?? param(req, 'playbackId') ?? core.ids.uuid(),
    media, index: 0, targetUri: `channel:${ch.id}`, channelId: ch.id,
    language: param(req, 'lang') ?? core.opts.language, state: 'queued' as const, remaining_ms: 0, resumedAt_ms: 0,
  };
  queuePlayback(core, pb);
  return { status: 201, body: playbackJson(pb) };
}

export function channelRoutes(core: SimCore): Route[] {
  return [
    {
      pattern: '/channels',
      methods: {
        GET: () => ok([...core.channels.values()].filter((c) => c.alive).reverse().map((c) => channelJson(c, core.opts.language))),
        POST: (req) => outbound(core, req, 'originate'),
      },
    },
    { pattern: '/channels/create', methods: { POST: (req) => outbound(core, req, 'create') } },
    {
      pattern: '/channels/{channelId}',
      methods: {
        GET: (req) => ok(channelJson(live(core, req), core.opts.language)),
        POST: (req) => outbound(core, req, 'originate'),
        DELETE: (req) => {
          const ch = live(core, req);
          appHangup(core, ch, hangupCause(req));
          return noContent();
        },
      },
    },
    {
      pattern: '/channels/{channelId}/answer',
      methods: {
        POST: (req) => {
          const ch = inStasis(core, req);
          core.record({ kind: 'answer', channelId: ch.id });
          if (ch.state !== 'Up') setState(core, ch, 'Up');
          return noContent();
        },
      },
    },
    {
      pattern: '/channels/{channelId}/ring',
      methods: {
        POST: (req) => {
          core.record({ kind: 'ring', channelId: inStasis(core, req).id });
          return noContent();
        },
        DELETE: (req) => {
          core.record({ kind: 'ring-stop', channelId: inStasis(core, req).id });
          return noContent();
        },
      },
    },
    { pattern: '/channels/{channelId}/progress', methods: { POST: (req) => (inStasis(core, req), noContent()) } },
    // Music on hold, silence, hold and mute: 204 and no event on a channel in Stasis (channel-variables-and-info.jsonl).
    ...['moh', 'silence', 'hold', 'mute'].map((action) => ({
      pattern: `/channels/{channelId}/${action}`,
      methods: { POST: (req: RestRequest) => (inStasis(core, req), noContent()), DELETE: (req: RestRequest) => (inStasis(core, req), noContent()) },
    })),
    { pattern: '/channels/{channelId}/play', methods: { POST: (req) => play(core, req) } },
    { pattern: '/channels/{channelId}/play/{playbackId}', methods: { POST: (req) => play(core, req) } },
    {
      pattern: '/channels/{channelId}/variable',
      methods: {
        GET: (req) => {
          const ch = core.liveChannel(req.params.channelId ?? '');
          if (!ch) throw fail(404, 'Provided channel was not found');
          const name = param(req, 'variable');
          if (!name) throw fail(400, 'Variable name is required');
          const value = getVariable(core, ch, name);
          if (value === undefined) throw fail(404, 'Provided variable was not found');
          return ok({ value });
        },
        POST: (req) => {
          const ch = live(core, req);
          const name = param(req, 'variable');
          if (!name) throw fail(400, 'Variable name is required');
          if (ch.stasisApp === undefined) throw fail(409, 'Channel not in Stasis application');
          setVariable(core, ch, name, param(req, 'value') ?? '', param(req, 'report_events') === 'true');
          return noContent();
        },
      },
    },
    {
      pattern: '/channels/{channelId}/variables',
      methods: {
        GET: (req) => {
          const ch = live(core, req);
          const names = (param(req, 'variables') ?? '').split(',').filter((n) => n !== '');
          if (names.length === 0) throw fail(400, 'Variable name is required');
          const variables: Record<string, string> = {};
          for (const name of names) {
            const value = getVariable(core, ch, name);
            if (value !== undefined) variables[name] = value;
          }
          return ok({ variables });
        },
        POST: (req) => {
          const ch = live(core, req);
          if (ch.stasisApp === undefined) throw fail(409, 'Channel not in Stasis application');
          for (const [name, value] of Object.entries(bodyVariables(req.body))) setVariable(core, ch, name, value);
          return noContent();
        },
      },
    },
    {
      pattern: '/channels/{channelId}/dtmf',
      methods: {
        POST: (req) => {
          const ch = inStasis(core, req);
          const digits = param(req, 'dtmf');
          if (!digits) throw fail(400, 'DTMF is required');
          // Towards a Local channel the digits arrive on its `;2` half; towards SIP they leave Asterisk.
          if (ch.peer?.alive) for (const d of digits) emitDtmf(core, ch.peer, d, 100);
          return noContent();
        },
      },
    },
    {
      pattern: '/channels/{channelId}/continue',
      methods: {
        POST: (req) => {
          const ch = inStasis(core, req);
          // Leaves Stasis at once; the simulator has no dialplan, so the channel just runs Hangup() a second later:
          // a Local `;2` half is told (cause 16), then each half is destroyed (channel-variables-and-info.jsonl).
          leaveStasis(core, ch);
          core.after(1000, () => destroyWithPeer(core, ch, livePeer(ch), 16), ch);
          return noContent();
        },
      },
    },
    {
      pattern: '/channels/{channelId}/move',
      methods: {
        POST: (req) => {
          const ch = inStasis(core, req);
          const app = param(req, 'app') ?? '';
          const args = (param(req, 'appArgs') ?? '').split(',').filter((a) => a !== '');
          if (!core.bus.hasApp(app)) {
            emitChannel(core, ch, 'ApplicationMoveFailed', [['destination', app], ['args', args]]);
            return noContent();
          }
          emitChannel(core, ch, 'StasisEnd');
          enterStasis(core, ch, app, args, false);
          return noContent();
        },
      },
    },
    {
      pattern: '/channels/{channelId}/dial',
      methods: {
        POST: (req) => {
          const ch = inStasis(core, req);
          if (ch.state !== 'Down' || !ch.dial || ch.dial.mode !== 'dial') throw fail(409, "Channel is not in the 'Down' state");
          const t = Number.parseInt(param(req, 'timeout') ?? '0', 10);
          core.record({ kind: 'dial', channelId: ch.id, detail: { caller: param(req, 'caller') } });
          progressDial(core, ch, Number.isNaN(t) ? 0 : Math.max(0, t));
          return noContent();
        },
      },
    },
  ];
}
