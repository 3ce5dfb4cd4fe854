import { randomUUID } from 'node:crypto';

/** Asterisk's timestamp format: `2026-11-24T03:56:46.993+0000` (milliseconds, `+0000` without a colon). */
export function ariTimestamp(at: Date): string {
  return at.toISOString().replace('Z', '+0000');
}

/**
 * Ids as Asterisk makes them: a channel id is `<epoch seconds>.<global counter>`, a channel name carries an
 * 8-hex-digit counter (`PJSIP/trunk-0000001f`), bridge and playback ids are UUID v4.
 */
export class IdSource {
  private uniqueCounter = 0;
  private nameCounter = 0;

  uniqueId(now_ms: number): string {
    return `${Math.floor(now_ms / 1000)}.${this.uniqueCounter++}`;
  }

  nameSuffix(): string {
    return (this.nameCounter++).toString(16).padStart(8, '0');
  }

  uuid(): string {
    return randomUUID();
  }

  /** A SIP Call-ID like the ones SIPp and chan_pjsip produce. */
  callId(): string {
    return randomUUID();
  }
}
