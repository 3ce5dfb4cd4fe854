import type Srf from 'drachtio-srf';
import type { AnsweredLeg } from '../calls/legs';

/** An answered leg on a drachtio-srf Dialog. */
export class DialogLeg implements AnsweredLeg {
  readonly ended: Promise<void>;
  private done = false;
  private markEnded!: () => void;

  constructor(readonly dialog: Srf.Dialog) {
    this.ended = new Promise((resolve) => { this.markEnded = resolve; });
    dialog.on('destroy', () => this.finish());
  }

  get remoteSdp(): string {
    return this.dialog.remote.sdp;
  }

  private finish(): void {
    if (this.done) return;
    this.done = true;
    this.markEnded();
  }

  async hangup(): Promise<void> {
    if (this.done) return;
    this.finish();
    // ENODIALOG (drachtio already dropped it) and a lost connection both mean the leg is gone for us.
    await this.dialog.destroy().catch(() => undefined);
  }
}

/** Relays re-INVITEs (hold/resume) and INFO (DTMF) between the two dialogs of a bridged call (as in transcript 10). */
export function relayInDialog(a: Srf.Dialog, b: Srf.Dialog): void {
  const relay = (from: Srf.Dialog, to: Srf.Dialog) => {
    from.on('modify', (req, res) => {
      to.modify(req.body).then((sdp) => res.send(200, { body: sdp }), (err: { status?: number }) => res.send(err.status ?? 500));
    });
    from.on('info', (req, res) => {
      const headers: Record<string, string> = {};
      const type = req.get('Content-Type');
      if (type) headers['Content-Type'] = type;
      to.request({ method: 'INFO', headers, body: req.body }).then((r) => res.send(r.status), () => res.send(500));
    });
  };
  relay(a, b);
  relay(b, a);
}
