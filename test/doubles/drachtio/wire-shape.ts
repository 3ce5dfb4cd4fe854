/**
 * Canonical shapes of srf↔server frames, so a recording and a run through the double can be compared
 * message by message: the message type and context (the SEQUENCES.md notation), every leader token with
 * ids replaced by their role and order of appearance (M3 = the 3rd srf message, T2 = the 2nd transaction id
 * the server handed out, D1 = the 1st dialog id), times and byte counts by their class, and the SIP start
 * line and header names. Same ids in the same places means the same transaction/dialog structure.
 */

export interface Frame { dir: 'srf->server' | 'server->srf'; raw: string }

export interface Shape {
  dir: Frame['dir'];
  /** SEQUENCES.md notation: `sip INVITE[new]`, `OK(sip INVITE)`, `sip 180[net,dlg]`… */
  sig: string;
  leader: string[];
  start_line?: string;
  headers?: string[];
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const TIME = /^\d\d:\d\d:\d\d\.\d{6}$/;

function sipParts(raw: string): { start: string; headers: string[] } | undefined {
  const crlf = raw.indexOf('\r\n');
  if (crlf < 0) return undefined;
  const sip = raw.slice(crlf + 2);
  const head = sip.split('\r\n\r\n')[0] ?? '';
  const lines = head.split('\r\n');
  return { start: lines[0] ?? '', headers: lines.slice(1).filter((l) => l !== '').map((l) => l.slice(0, l.indexOf(':')).trim()) };
}

function sipLabel(start: string): string {
  return start.startsWith('SIP/2.0 ') ? (start.split(' ')[1] ?? '?') : (start.split(' ')[0] ?? '?');
}

/** Shapes of a frame sequence (one or several connections, in arrival order). */
export function shapesOf(frames: Frame[]): Shape[] {
  const srfIds = new Map<string, string>();
  const srfTypes = new Map<string, string>();
  const txns = new Map<string, string>();
  const dialogs = new Map<string, string>();
  const serverIds = new Set<string>();
  const txn = (t: string, create: boolean) => {
    if (t === '' || t === 'unsolicited') return t;
    if (!txns.has(t)) { if (!create) return 'T?'; txns.set(t, `T${txns.size + 1}`); }
    return txns.get(t) as string;
  };
  const dlg = (d: string, create: boolean) => {
    if (d === '') return d;
    if (!dialogs.has(d)) { if (!create) return 'D?'; dialogs.set(d, `D${dialogs.size + 1}`); }
    return dialogs.get(d) as string;
  };
  const out: Shape[] = [];
  for (const f of frames) {
    const crlf = f.raw.indexOf('\r\n');
    const leader = (crlf >= 0 ? f.raw.slice(0, crlf) : f.raw).split('|');
    const [id = '', type = ''] = leader;
    const sip = sipParts(f.raw);
    const canon = [...leader];
    let sig = type;
    if (f.dir === 'srf->server') {
      srfIds.set(id, `M${srfIds.size + 1}`);
      canon[0] = srfIds.get(id) as string;
      if (type === 'route' || type === 'remove_route') sig = `${type}(${leader[2] ?? ''})`;
      if (type === 'authenticate') canon[2] = 'SECRET';
      if (type === 'sip' && sip) {
        canon[2] = txn(leader[2] ?? '', false);
        canon[3] = dlg(leader[3] ?? '', false);
        const ctx = leader[2] ? 'txn' : leader[3] ? 'dlg' : 'new';
        sig = `sip ${sipLabel(sip.start)}[${ctx}]`;
      }
      srfTypes.set(id, type === 'sip' && sip ? `sip ${sipLabel(sip.start)}` : type);
    } else {
      canon[0] = UUID.test(id) ? (serverIds.has(id) || srfIds.has(id) ? 'REUSED-ID' : 'S') : `BAD-ID(${id})`;
      serverIds.add(id);
      if (type === 'response') {
        const to = leader[2] ?? '';
        canon[2] = srfIds.get(to) ?? 'M?';
        const status = leader[3] ?? '';
        const replyTo = srfTypes.get(to) ?? '?';
        sig = `${status}(${replyTo}${status === 'OK' ? '' : `: ${leader[4] ?? ''}`})`;
        if (status === 'OK' && replyTo.startsWith('sip')) {
          // OK|application|<bytes>|<transport>|<address>|<port>|<time>|<txn>|…
          canon[5] = leader[5] === '0' ? '0' : 'N';
          canon[9] = TIME.test(leader[9] ?? '') ? 'TIME' : `BAD-TIME(${leader[9]})`;
          canon[10] = txn(leader[10] ?? '', true);
          if (leader[11] !== 'Msg sent:') canon[11] = dlg(leader[11] ?? '', true);
        }
      } else if (type === 'sip' && sip) {
        // sip|<source>|<bytes>|<transport>|<address>|<port>|<time>|<txn>|<dialog>|…
        canon[3] = leader[3] === '0' ? '0' : 'N';
        canon[7] = TIME.test(leader[7] ?? '') ? 'TIME' : `BAD-TIME(${leader[7]})`;
        canon[8] = txn(leader[8] ?? '', true);
        canon[9] = dlg(leader[9] ?? '', true);
        const ctx = [leader[2] === 'network' ? 'net' : leader[2], ...(leader[9] ? ['dlg'] : [])].join(',');
        sig = `sip ${sipLabel(sip.start)}[${ctx}]`;
      }
    }
    const shape: Shape = { dir: f.dir, sig, leader: canon };
    if (sip) {
      shape.start_line = sip.start;
      shape.headers = sip.headers;
    }
    out.push(shape);
  }
  return out;
}

/**
 * Collapses runs of a repeated group (e.g. srf's endless re-authentication with a wrong secret, 01 E) to one
 * copy: the number of retries in a recording depends only on how long the recording waited.
 */
export function collapseRepeats<T>(items: T[], key: (t: T) => string, groupSize: number): T[] {
  const out: T[] = [];
  for (let i = 0; i < items.length;) {
    const group = items.slice(i, i + groupSize).map(key).join('§');
    out.push(...items.slice(i, i + 1));
    let j = i + groupSize;
    if (items.slice(i, i + groupSize).length === groupSize) {
      while (items.slice(j, j + groupSize).map(key).join('§') === group) j += groupSize;
    }
    if (j > i + groupSize) { out.push(...items.slice(i + 1, i + groupSize)); i = j; } else { i++; }
  }
  return out;
}

export function sigLine(shapes: Shape[]): string {
  return shapes.map((s) => s.sig).join(' ');
}
