import type Srf from 'drachtio-srf';
import type { AnsweredLeg, CallerLeg } from '../calls/legs';
import { DialogLeg, relayInDialog } from './dialog-leg';

/** The incoming INVITE (req/res of srf.invite) as the call logic's CallerLeg. */
export class SrfCallerLeg implements CallerLeg {
  readonly cancelled: Promise<void>;
  private wasCancelled = false;

  constructor(private readonly srf: Srf, private readonly req: Srf.SrfRequest, private readonly res: Srf.SrfResponse) {
    this.cancelled = new Promise((resolve) => {
      req.on('cancel', () => {
        // drachtio-server has answered the CANCEL 200 and the INVITE 487 itself (transcript 07).
        this.wasCancelled = true;
        resolve();
      });
    });
  }

  get requestUri(): string { return this.req.uri; }
  get sourceAddress(): string { return this.req.source_address; }
  get offerSdp(): string { return this.req.body; }
  get isCancelled(): boolean { return this.wasCancelled; }

  header(name: string): string | undefined {
    return this.req.get(name);
  }

  progress(status: number, reason: string, sdp?: string): void {
    if (this.res.finalResponseSent || this.wasCancelled) return;
    this.res.send(status, reason, sdp ? { body: sdp } : {});
  }

  reject(status: number, headers: Record<string, string> = {}): void {
    if (this.res.finalResponseSent || this.wasCancelled) return;
    this.res.send(status, { headers });
  }

  async connect(leg: AnsweredLeg): Promise<AnsweredLeg> {
    if (this.wasCancelled) throw new Error('caller cancelled');
    const uas = await this.srf.createUAS(this.req, this.res, { localSdp: leg.remoteSdp });
    if (leg instanceof DialogLeg) relayInDialog(uas, leg.dialog);
    return new DialogLeg(uas);
  }
}
