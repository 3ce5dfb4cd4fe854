import { addToBridge, destroyBridge, leaveBridge } from './bridge';
import type { SimCore } from './core';
import type { SimBridge, SimChannel } from './model';
import { bridgeJson, playbackJson } from './model';
import { queuePlayback } from './playback';
import type { RestRequest, Route } from './rest';
import { fail, listParam, noContent, ok, param } from './rest';

const BRIDGE_TYPES = new Set(['mixing', 'holding', 'dtmf_events', 'proxy_media', 'video_sfu', 'video_single', 'sdp_label']);

function bridgeOf(core: SimCore, req: RestRequest): SimBridge {
  const b = core.bridges.get(req.params.bridgeId ?? '');
  if (!b) throw fail(404, 'Bridge not found');
  return b;
}

function create(core: SimCore, req: RestRequest) {
  const id = req.params.bridgeId ?? param(req, 'bridgeId');
  const types = (param(req, 'type') ?? 'mixing').split(',');
  if (!types.every((t) => BRIDGE_TYPES.has(t))) throw fail(500, `Unable to create bridge. Possible duplicate bridge id '${id ?? '(null)'}'`);
  if (id !== undefined && core.bridges.has(id)) throw fail(409, `Bridge with id '${id}' already exists`);
  const b: SimBridge = {
    id: id ?? core.ids.uuid(),
    type: types.includes('holding') ? 'holding' : 'mixing',
    name: param(req, 'name') ?? '',
    channels: [],
    creationtime: core.now().toISOString().replace('Z', '+0000'),
    refs: new Map(),
    explicit: new Set(),
  };
  core.bridges.set(b.id, b);
  core.record({ kind: 'bridge-create', bridgeId: b.id });
  return ok(bridgeJson(b));
}

function members(core: SimCore, req: RestRequest): SimChannel[] {
  const ids = listParam(req, 'channel');
  if (ids.length === 0) throw fail(400, 'Missing parameter channel');
  return ids.map((id) => {
    const ch = core.liveChannel(id);
    if (!ch) throw fail(400, 'Channel not found');
    return ch;
  });
}

export function bridgeRoutes(core: SimCore): Route[] {
  return [
    {
      pattern: '/bridges',
      methods: { GET: () => ok([...core.bridges.values()].map(bridgeJson)), POST: (req) => create(core, req) },
    },
    {
      pattern: '/bridges/{bridgeId}',
      methods: {
        GET: (req) => ok(bridgeJson(bridgeOf(core, req))),
        POST: (req) => create(core, req),
        DELETE: (req) => {
          destroyBridge(core, bridgeOf(core, req));
          return noContent();
        },
      },
    },
    {
      pattern: '/bridges/{bridgeId}/addChannel',
      methods: {
        POST: async (req) => {
          const b = bridgeOf(core, req);
          const chans = members(core, req);
          if (chans.some((c) => c.stasisApp === undefined)) throw fail(422, 'Channel not in Stasis application');
          await addToBridge(core, b, chans);
          return noContent();
        },
      },
    },
    {
      pattern: '/bridges/{bridgeId}/removeChannel',
      methods: {
        POST: (req) => {
          const b = bridgeOf(core, req);
          const chans = members(core, req);
          if (chans.some((c) => c.bridgeId !== b.id)) throw fail(422, 'Channel not in this bridge');
          for (const ch of chans) leaveBridge(core, ch, 'removed');
          return noContent();
        },
      },
    },
    {
      pattern: '/bridges/{bridgeId}/play',
      methods: {
        POST: (req) => {
          const b = bridgeOf(core, req);
          const media = listParam(req, 'media');
          if (media.length === 0) throw fail(500, 'Failed to queue media for playback');
          const pb = {
            id: param(req, 'playbackId') ?? core.ids.uuid(), media, index: 0, targetUri: `bridge:${b.id}`, bridgeId: b.id,
            language: param(req, 'lang') ?? core.opts.language, state: 'queued' as const, remaining_ms: 0, resumedAt_ms: 0,
          };
          queuePlayback(core, pb);
          return { status: 201, body: playbackJson(pb) };
        },
      },
    },
    {
      pattern: '/bridges/{bridgeId}/moh',
      methods: { POST: (req) => (bridgeOf(core, req), noContent()), DELETE: (req) => (bridgeOf(core, req), noContent()) },
    },
  ];
}
