import WebSocket from 'ws';

/**
 * A tiny IVR over the simulator's real ARI HTTP + WebSocket, standing in for the product's call flow in the
 * phone-only tests: answer, "welcome" + "enter card number", digits to #, "enter PIN", digits to #, "you have" ten
 * dollars (a multi-media playback), "enter destination", digits to #, originate `PJSIP/<n>@trunk`, bridge on
 * answer, "number busy" on failure. A digit during a prompt stops it (barge-in), as the product does.
 */
export class ScriptedIvr {
  private ws: WebSocket | undefined;
  private readonly auth: string;
  private readonly calls = new Map<string, { step: 'card' | 'pin' | 'dest' | 'dialling' | 'talking'; digits: string; playback?: string; leg?: string }>();
  readonly log: string[] = [];

  constructor(private readonly url: string, user: string, password: string, private readonly app = 'prepaid') {
    this.auth = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
  }

  async start(): Promise<void> {
    const ws = new WebSocket(`${this.url.replace('http', 'ws')}/ari/events?app=${this.app}`, { headers: { Authorization: this.auth } });
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    ws.on('message', (d) => void this.onEvent(JSON.parse(String(d)) as AriEvent).catch((err: unknown) => this.log.push(`error ${String(err)}`)));
    this.ws = ws;
  }

  stop(): void {
    this.ws?.terminate();
  }

  private async rest(method: string, path: string): Promise<unknown> {
    const res = await fetch(`${this.url}/ari${path}`, { method, headers: { Authorization: this.auth } });
    const text = await res.text();
    return text ? JSON.parse(text) : null;
  }

  private async play(channelId: string, ids: string[]): Promise<void> {
    const media = ids.map((id) => `sound:prepaid/en/${id}`).join(',');
    const pb = (await this.rest('POST', `/channels/${channelId}/play?media=${encodeURIComponent(media)}`)) as { id: string } | null;
    const c = this.calls.get(channelId);
    if (c && pb) c.playback = pb.id;
  }

  private async onEvent(e: AriEvent): Promise<void> {
    const ch = e.channel;
    if (e.type === 'StasisStart' && ch) {
      if (e.args?.[0] === 'leg') {
        const owner = [...this.calls.entries()].find(([, c]) => c.leg === ch.id);
        if (!owner) return;
        owner[1].step = 'talking';
        const bridge = (await this.rest('POST', '/bridges?type=mixing')) as { id: string };
        await this.rest('POST', `/bridges/${bridge.id}/addChannel?channel=${owner[0]},${ch.id}`);
        return;
      }
      this.calls.set(ch.id, { step: 'card', digits: '' });
      await this.rest('POST', `/channels/${ch.id}/answer`);
      await this.play(ch.id, ['welcome', 'enter_card_number']);
      return;
    }
    if (e.type === 'ChannelDtmfReceived' && ch && e.digit) {
      const c = this.calls.get(ch.id);
      if (!c) return;
      if (c.playback) {
        const id = c.playback;
        c.playback = undefined;
        await this.rest('DELETE', `/playbacks/${id}`);
      }
      c.digits += e.digit;
      this.log.push(`${c.step}:${e.digit}`);
      if (c.step === 'card' && e.digit === '#') {
        c.step = 'pin';
        c.digits = '';
        await this.play(ch.id, ['enter_pin']);
      } else if (c.step === 'pin' && e.digit === '#') {
        c.step = 'dest';
        c.digits = '';
        await this.play(ch.id, ['you_have', 'num_10', 'unit_usd_major_many', 'enter_destination']);
      } else if (c.step === 'dest' && e.digit === '#') {
        c.step = 'dialling';
        const number = c.digits.slice(0, -1);
        c.digits = '';
        const leg = (await this.rest('POST', `/channels?endpoint=${encodeURIComponent(`PJSIP/${number}@trunk`)}&app=${this.app}&appArgs=leg&timeout=6`)) as { id: string };
        c.leg = leg.id;
        await this.play(ch.id, ['please_wait_connecting']);
      }
      return;
    }
    if (e.type === 'PlaybackFinished' && e.playback) {
      const c = this.calls.get(e.playback.target_uri.replace('channel:', ''));
      if (c?.playback === e.playback.id) c.playback = undefined;
      return;
    }
    if ((e.type === 'ChannelDestroyed' || e.type === 'StasisEnd') && ch) {
      const own = this.calls.get(ch.id);
      if (own) {
        this.calls.delete(ch.id);
        if (own.leg) await this.rest('DELETE', `/channels/${own.leg}`);
        return;
      }
      const owner = [...this.calls.entries()].find(([, c]) => c.leg === ch.id);
      if (owner && owner[1].step === 'dialling') {
        owner[1].step = 'dest';
        await this.play(owner[0], [e.cause === 17 ? 'number_busy' : 'no_answer', 'enter_destination']);
      } else if (owner) {
        await this.rest('DELETE', `/channels/${owner[0]}`);
      }
    }
  }
}

interface AriEvent {
  type: string;
  channel?: { id: string; state: string };
  args?: string[];
  digit?: string;
  cause?: number;
  playback?: { id: string; target_uri: string; media_uri: string };
}
