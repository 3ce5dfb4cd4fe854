/**
 * drachtio's admin-connection framing: `<length>#<payload>`, the length being the payload's UTF-8 byte
 * count in decimal. No terminator; frames may arrive together or split across reads.
 */

/** The server accepts at most 5 length digits (drachtio-server source): 100000 bytes or more drops the connection. */
export const MAX_LENGTH_DIGITS = 5;

export function frame(payload: string): Buffer {
  const body = Buffer.from(payload, 'utf8');
  return Buffer.concat([Buffer.from(`${body.length}#`, 'ascii'), body]);
}

export class FramingError extends Error {}

/** Collects bytes and yields whole payloads; throws FramingError on a bad length prefix. */
export class FrameDecoder {
  private buffer: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): string[] {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    const out: string[] = [];
    for (;;) {
      const hash = this.buffer.indexOf(0x23); // '#'
      if (hash < 0) {
        if (this.buffer.length > MAX_LENGTH_DIGITS) throw new FramingError('length prefix too long');
        if (!/^\d*$/.test(this.buffer.toString('latin1'))) throw new FramingError('bad length prefix');
        return out;
      }
      const digits = this.buffer.subarray(0, hash).toString('latin1');
      if (!/^\d{1,5}$/.test(digits)) throw new FramingError(`bad length prefix '${digits.slice(0, 12)}'`);
      const length = Number(digits);
      if (length === 0) throw new FramingError('empty frame');
      const end = hash + 1 + length;
      if (this.buffer.length < end) return out;
      out.push(this.buffer.subarray(hash + 1, end).toString('utf8'));
      this.buffer = this.buffer.subarray(end);
    }
  }
}
