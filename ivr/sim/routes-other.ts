import { readFileSync } from 'node:fs';
import { bridgeApps } from './bridge';
import type { SimCore } from './core';
import { ariTimestamp } from './format';
import { playbackJson } from './model';
import { controlPlayback, stopPlayback } from './playback';
import type { RestRequest, Route } from './rest';
import { AriHttpError, fail, noContent, ok, param } from './rest';

const API_DOCS = new Set(['resources', 'asterisk', 'channels', 'bridges', 'playbacks', 'applications', 'events']);

function apiDoc(name: string, baseUrl: string): unknown {
  const doc = JSON.parse(readFileSync(new URL(`./api-docs/${name}.json`, import.meta.url), 'utf8')) as Record<string, unknown>;
  return { ...doc, basePath: `${baseUrl}/ari` };
}

export function applicationJson(core: SimCore, name: string) {
  return {
    name,
    channel_ids: [...core.channels.values()].filter((c) => c.alive && c.subscribedApp === name).map((c) => c.id),
    bridge_ids: [...core.bridges.values()].filter((b) => bridgeApps(b).includes(name)).map((b) => b.id),
    endpoint_ids: [],
    device_names: [],
    events_allowed: [],
    events_disallowed: [],
  };
}

function appOf(core: SimCore, req: RestRequest): string {
  const name = req.params.applicationName ?? '';
  if (!core.bus.hasApp(name)) throw fail(404, 'Application not found');
  return name;
}

function subscription(core: SimCore, req: RestRequest, subscribe: boolean) {
  const app = appOf(core, req);
  const source = param(req, 'eventSource') ?? '';
  const [scheme, id = ''] = source.split(/:(.*)/s);
  if (scheme !== 'channel' && scheme !== 'bridge') throw fail(400, 'Invalid event source URI scheme');
  if (scheme === 'channel') {
    const ch = core.liveChannel(id);
    if (!ch) throw fail(422, 'Event source does not exist');
    if (subscribe) ch.subscribedApp = app;
    else if (ch.subscribedApp === app) ch.subscribedApp = undefined;
    else throw fail(422, 'Event source was not subscribed to');
  } else {
    const b = core.bridges.get(id);
    if (!b) throw fail(422, subscribe ? 'Event source does not exist' : 'Event source was not subscribed to');
    if (subscribe) b.explicit.add(app);
    else if (!b.explicit.delete(app)) throw fail(422, 'Event source was not subscribed to');
  }
  return ok(applicationJson(core, app));
}

export function otherRoutes(core: SimCore, baseUrl: () => string): Route[] {
  return [
    {
      pattern: '/api-docs/{file}',
      methods: {
        GET: (req) => {
          const name = (req.params.file ?? '').replace(/\.json$/, '');
          if (!API_DOCS.has(name)) throw fail(404, 'Resource not found');
          return ok(apiDoc(name, baseUrl()));
        },
      },
    },
    {
      pattern: '/asterisk/ping',
      methods: { GET: () => ok({ ping: 'pong', timestamp: ariTimestamp(core.now()), asterisk_id: core.opts.asteriskId }) },
    },
    {
      pattern: '/asterisk/info',
      methods: {
        GET: () => ok({
          build: { os: 'Linux', kernel: 'simulated', machine: 'x86_64', options: '', date: '', user: 'prepaid' },
          system: { version: '22.10.1', entity_id: core.opts.asteriskId },
          config: { name: 'prepaid-ari-simulator', default_language: core.opts.language, setid: { user: '', group: '' } },
          status: { startup_time: ariTimestamp(core.now()), last_reload_time: ariTimestamp(core.now()) },
        }),
      },
    },
    {
      // No global variables are set in the simulator; Asterisk answers an unset one with an empty value (recorded).
      pattern: '/asterisk/variable',
      methods: {
        GET: (req) => {
          if (!param(req, 'variable')) throw fail(400, 'Variable name is required');
          return ok({ value: '' });
        },
      },
    },
    {
      // The PJSIP endpoints the simulator dials; none registers, so each is offline (recorded for an unregistered one).
      pattern: '/endpoints',
      methods: {
        GET: () => ok(core.opts.pjsipEndpoints.map((resource) => ({
          technology: 'PJSIP', resource, state: 'offline',
          channel_ids: [...core.channels.values()].filter((c) => c.alive && c.technology === 'PJSIP' && c.name.startsWith(`PJSIP/${resource}-`)).map((c) => c.id),
        }))),
      },
    },
    { pattern: '/applications', methods: { GET: () => ok(core.bus.appNames().map((n) => applicationJson(core, n))) } },
    { pattern: '/applications/{applicationName}', methods: { GET: (req) => ok(applicationJson(core, appOf(core, req))) } },
    {
      pattern: '/applications/{applicationName}/subscription',
      methods: { POST: (req) => subscription(core, req, true), DELETE: (req) => subscription(core, req, false) },
    },
    {
      pattern: '/playbacks/{playbackId}',
      methods: {
        GET: (req) => {
          const pb = core.playbacks.get(req.params.playbackId ?? '');
          if (!pb) throw fail(404, 'Playback not found');
          return ok(playbackJson(pb));
        },
        DELETE: (req) => {
          const pb = core.playbacks.get(req.params.playbackId ?? '');
          if (!pb) throw fail(404, 'Playback not found');
          stopPlayback(core, pb);
          return noContent();
        },
      },
    },
    {
      pattern: '/playbacks/{playbackId}/control',
      methods: {
        POST: (req) => {
          const pb = core.playbacks.get(req.params.playbackId ?? '');
          if (!pb) throw fail(404, 'Playback not found');
          const op = param(req, 'operation') ?? '';
          if (controlPlayback(core, pb, op) === 'invalid') throw new AriHttpError(400, { message: `Invalid operation ${op}` });
          return noContent();
        },
      },
    },
  ];
}
