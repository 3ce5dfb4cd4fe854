import type Srf from 'drachtio-srf';
import type { AttemptResult, CallerLeg, Dialer, InviteOptions, OutgoingAttempt } from '../calls/legs';
import { DialogLeg } from './dialog-leg';

/** INVITEs to carriers and nodes with srf.createUAC (drachtio-srf's UAC helper; srf.createUAS answers the caller). */
export class SrfDialer implements Dialer {
  constructor(private readonly srf: Srf) {}

  invite(uri: string, caller: CallerLeg, opts: InviteOptions): OutgoingAttempt {
    let sent: Srf.SrfRequest | undefined;
    let cancelWanted = false;
    let abandoned = false;
    const cancelSent = (r: Srf.SrfRequest) => {
      try {
        r.cancel(() => {});
      } catch {
        // the connection is gone: nothing to cancel through
      }
    };
    const callingNumber = /<?sips?:([^@;>]+)@/i.exec(caller.header('From') ?? '')?.[1];
    const result: Promise<AttemptResult> = this.srf.createUAC(uri, {
      localSdp: caller.offerSdp,
      headers: opts.headers,
      ...(callingNumber ? { callingNumber } : {}),
    }, {
      cbRequest: (err, req) => {
        if (err) return;
        sent = req;
        if (cancelWanted) cancelSent(req);
      },
      cbProvisional: (res) => {
        if (abandoned || res.status <= 100) return;
        opts.onProgress(res.status, res.reason, res.body ? res.body : undefined);
      },
    }).then((dialog): AttemptResult => {
      const leg = new DialogLeg(dialog);
      // An abandoned attempt answering late (a CANCEL drachtio held, 06c) is hung up at once.
      if (abandoned) void leg.hangup();
      return { kind: 'answered', leg };
    }, (err: { status?: number; reason?: string; res?: { source_address?: string } }): AttemptResult => {
      if (typeof err.status !== 'number') return { kind: 'failed', status: 503, reason: 'request not sent', local: true };
      return { kind: 'failed', status: err.status, reason: err.reason ?? '', local: err.res?.source_address === '' };
    });
    return {
      result,
      cancel() {
        if (cancelWanted) return;
        cancelWanted = true;
        if (sent) cancelSent(sent);
      },
      abandon() {
        abandoned = true;
      },
    };
  }
}
