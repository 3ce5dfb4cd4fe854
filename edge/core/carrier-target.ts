import type { RouteCandidate } from '../routing-contract';

/** Characters allowed unescaped in a SIP URI user part (RFC 3261 §25.1: unreserved / user-unreserved). */
const USER_SAFE = /[A-Za-z0-9\-_.!~*'()&=+$,;?/]/;

function escapeUser(user: string): string {
  let out = '';
  for (const ch of user) out += USER_SAFE.test(ch) ? ch : Buffer.from(ch, 'utf8').reduce((s, b) => `${s}%${b.toString(16).toUpperCase().padStart(2, '0')}`, '');
  return out;
}

/**
 * The Request-URI of an attempt: the carrier's SIP target with the candidate's dial user (tech prefix and '+'
 * already applied by the ranking: `dial_user`) and the carrier's transport. `sip:gw1.example.net:5060` +
 * `0044…` → `sip:0044…@gw1.example.net:5060`; TCP/TLS add `;transport=`.
 */
export function carrierTarget(c: Pick<RouteCandidate, 'carrier' | 'dial_user'>): string {
  const m = /^(sips?):(?:[^@]*@)?(.*)$/i.exec(c.carrier.sip_uri.trim());
  if (!m) throw new Error(`carrier ${c.carrier.name}: bad sip_uri`);
  const scheme = (m[1] as string).toLowerCase();
  let rest = m[2] as string;
  if (c.carrier.transport !== 'udp' && !/;transport=/i.test(rest)) rest = `${rest};transport=${c.carrier.transport}`;
  return `${scheme}:${escapeUser(c.dial_user)}@${rest}`;
}
