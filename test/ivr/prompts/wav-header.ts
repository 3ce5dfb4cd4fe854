/** The format of a RIFF/WAVE file, read from its chunks (enough to check the prompts). */
export interface WavInfo {
  readonly audioFormat: number;
  readonly channels: number;
  readonly sampleRate: number;
  readonly bitsPerSample: number;
  readonly blockAlign: number;
  readonly byteRate: number;
  /** Bytes of sample data in the `data` chunk. */
  readonly dataBytes: number;
  readonly dataOffset: number;
}

export const WAVE_FORMAT_PCM = 1;

/** Parses a WAV header; throws on anything that is not a well-formed RIFF/WAVE with fmt and data. */
export function parseWav(buf: Buffer): WavInfo {
  if (buf.length < 12 || buf.toString('ascii', 0, 4) !== 'RIFF' || buf.toString('ascii', 8, 12) !== 'WAVE') {
    throw new Error('not a RIFF/WAVE file');
  }
  if (buf.readUInt32LE(4) + 8 !== buf.length) throw new Error(`RIFF size ${buf.readUInt32LE(4) + 8} != file size ${buf.length}`);
  let fmt: Omit<WavInfo, 'dataBytes' | 'dataOffset'> | null = null;
  let offset = 12;
  for (let chunks = 0; offset + 8 <= buf.length && chunks < 64; chunks++) {
    const id = buf.toString('ascii', offset, offset + 4);
    const size = buf.readUInt32LE(offset + 4);
    const body = offset + 8;
    if (body + size > buf.length) throw new Error(`chunk "${id}" runs past the end of the file`);
    if (id === 'fmt ') {
      if (size < 16) throw new Error('fmt chunk too short');
      fmt = {
        audioFormat: buf.readUInt16LE(body),
        channels: buf.readUInt16LE(body + 2),
        sampleRate: buf.readUInt32LE(body + 4),
        byteRate: buf.readUInt32LE(body + 8),
        blockAlign: buf.readUInt16LE(body + 12),
        bitsPerSample: buf.readUInt16LE(body + 14),
      };
    } else if (id === 'data') {
      if (fmt === null) throw new Error('data chunk before fmt chunk');
      return { ...fmt, dataBytes: size, dataOffset: body };
    }
    offset = body + size + (size % 2);
  }
  throw new Error('no data chunk');
}

/** Largest absolute sample value of 16-bit little-endian PCM data. */
export function peakAmplitude(buf: Buffer, info: WavInfo): number {
  let peak = 0;
  for (let i = info.dataOffset; i + 1 < info.dataOffset + info.dataBytes; i += 2) {
    peak = Math.max(peak, Math.abs(buf.readInt16LE(i)));
  }
  return peak;
}
