import type { PhoneEvent } from '../../sandbox/phone/phone-events';

/** One sandbox call placed through the web phone of a running server, as a browser would drive it. */
export interface LiveCall {
  id: string;
  events: PhoneEvent[];
  /** Resolves once the outbound leg is connected (rejects if the call ends or fails first). */
  connected: Promise<void>;
  /** Wall-clock time the leg connected. */
  connectedAt_ms?: number;
  /** The call's `ended` event, if it has ended. */
  ended(): Extract<PhoneEvent, { type: 'ended' }> | undefined;
  hangup(): Promise<void>;
  /** Stops listening (the server hangs up a call nobody listens to after a while). */
  close(): void;
}

const JSON_HEADERS = { 'content-type': 'application/json' };

async function post(url: string, body: unknown): Promise<Response> {
  return fetch(url, { method: 'POST', headers: JSON_HEADERS, body: JSON.stringify(body) });
}

/**
 * Places a call to the sandbox access number and answers the IVR's prompts as they start: card
 * number `#`, PIN `#`, destination `#` (over POST /phone/calls/:id/digits), following the call's
 * Server-Sent Events. Call ids, prompt ids and digits are the web phone's public HTTP interface.
 */
export async function placeCall(base: string, o: { caller: string; card_number: string; pin: string; destination: string }): Promise<LiveCall> {
  const res = await post(`${base}/phone/calls`, { caller_number: o.caller });
  if (res.status !== 201) throw new Error(`placing a call: ${res.status} ${await res.text()}`);
  const { id } = (await res.json()) as { id: string };
  const events: PhoneEvent[] = [];
  const ac = new AbortController();
  let resolveConnected: () => void = () => undefined;
  let rejectConnected: (e: Error) => void = () => undefined;
  const connected = new Promise<void>((resolve, reject) => { resolveConnected = resolve; rejectConnected = reject; });
  connected.catch(() => undefined);
  const call: LiveCall = {
    id, events, connected,
    ended: () => events.find((e): e is Extract<PhoneEvent, { type: 'ended' }> => e.type === 'ended'),
    hangup: async () => { await post(`${base}/phone/calls/${id}/hangup`, {}); },
    close: () => ac.abort(),
  };
  const answered = new Set<string>();
  const answer = (prompt: string, digits: string) => {
    if (answered.has(prompt)) return;
    answered.add(prompt);
    void post(`${base}/phone/calls/${id}/digits`, { digits }).then(async (r) => {
      if (r.status !== 202) rejectConnected(new Error(`digits for ${prompt}: ${r.status} ${await r.text()}`));
    }, (err: unknown) => rejectConnected(err as Error));
  };
  const onEvent = (e: PhoneEvent) => {
    events.push(e);
    if (e.type === 'prompt') {
      if (e.id === 'enter_card_number') answer(e.id, `${o.card_number}#`);
      else if (e.id === 'enter_pin') answer(e.id, `${o.pin}#`);
      else if (e.id === 'enter_destination') answer(e.id, `${o.destination}#`);
      else if (e.id === 'invalid_credentials_try_again' || e.id === 'invalid_credentials') rejectConnected(new Error(`call ${id}: the IVR refused the card (${e.id})`));
    } else if ((e.type === 'leg' && e.state === 'connected') || (e.type === 'meter' && e.connected_s !== null)) {
      // The leg's own event, or the live meter counting talk time (whichever the page hears first).
      call.connectedAt_ms ??= Date.now();
      resolveConnected();
    } else if (e.type === 'ended') {
      rejectConnected(new Error(`call ${id} ended before it connected: ${e.reason}`));
    }
  };
  void (async () => {
    const stream = await fetch(`${base}/phone/calls/${id}/events`, { signal: ac.signal });
    let buf = '';
    for await (const chunk of stream.body as unknown as AsyncIterable<Uint8Array>) {
      buf += Buffer.from(chunk).toString('utf8');
      let i: number;
      while ((i = buf.indexOf('\n\n')) !== -1) {
        const block = buf.slice(0, i);
        buf = buf.slice(i + 2);
        const data = block.split('\n').find((l) => l.startsWith('data: '));
        if (data) onEvent(JSON.parse(data.slice(6)) as PhoneEvent);
      }
    }
  })().catch((err: unknown) => { if (!ac.signal.aborted) rejectConnected(err as Error); });
  return call;
}
