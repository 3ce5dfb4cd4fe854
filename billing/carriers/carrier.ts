import net from 'node:net';
import { z } from 'zod';
import { BillingError } from '../shared/errors';

/** How the edge reaches a carrier's SIP target. */
export type Transport = 'udp' | 'tcp' | 'tls';
export const TRANSPORTS: readonly Transport[] = ['udp', 'tcp', 'tls'];

/** A SIP trunk we buy termination from (the routing contract shared with the SIP edge). */
export interface Carrier {
  id: number;
  name: string;
  /** 'sip:gw1.example.net:5060' — where outbound INVITEs go. */
  sip_uri: string;
  transport: Transport;
  /** '' when none; prepended to the dialled digits. */
  tech_prefix: string;
  /** Send '+' before the E.164 digits. */
  send_plus: boolean;
  /** null = unlimited. */
  max_concurrent: number | null;
  /** Calls per second, null = unlimited. */
  cps: number | null;
  /** Inbound source addresses / CIDRs ('203.0.113.7', '198.51.100.0/24', IPv6 too). */
  sources: string[];
  enabled: boolean;
  /** Static priority, lower first, default 0. */
  priority: number;
  /** May be routed even when buy > sell. */
  allow_loss: boolean;
}

/** Everything an operator sets on a carrier (the id is the database's). */
export type CarrierInput = Omit<Carrier, 'id'>;

export const CARRIER_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;
const HOST = /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?)*)$/;
const SIP_URI = /^sips?:(?:[A-Za-z0-9._~!$&'()*+,;=%-]+@)?([^:;@]+|\[[0-9A-Fa-f:.]+\])(?::(\d{1,5}))?(?:;[A-Za-z0-9._~=-]+)*$/;

/** A source address or CIDR, normalised ('198.51.100.0/24', '2001:db8::/32', '203.0.113.7'); undefined when it is neither. */
export function normaliseSource(text: string): string | undefined {
  const [addr = '', bits, ...rest] = text.trim().split('/');
  if (rest.length) return undefined;
  const family = net.isIP(addr);
  if (family === 0) return undefined;
  if (bits === undefined) return addr.toLowerCase();
  const max = family === 4 ? 32 : 128;
  if (!/^\d{1,3}$/.test(bits) || Number(bits) > max) return undefined;
  try {
    // Node's own parser has the last word: what BlockList accepts, the edge can match.
    new net.BlockList().addSubnet(addr, Number(bits), family === 4 ? 'ipv4' : 'ipv6');
  } catch {
    return undefined;
  }
  return `${addr.toLowerCase()}/${Number(bits)}`;
}

function validSipUri(text: string): boolean {
  const m = SIP_URI.exec(text);
  if (!m) return false;
  const host = m[1] as string;
  if (!(HOST.test(host) || net.isIP(host) !== 0)) return false;
  return m[2] === undefined || (Number(m[2]) >= 1 && Number(m[2]) <= 65535);
}

const positiveOrNull = (what: string) => z.number().int(`${what} must be a whole number`).min(1, `${what} must be at least 1 (or unlimited)`).max(1_000_000, `${what} must be at most 1000000`).nullable();

/** The rules a carrier obeys, one message per field (the CLI names the flag). */
export const carrierSchema = z.object({
  name: z.string().regex(CARRIER_NAME, 'expected 1 to 100 letters, digits, dots, dashes or underscores'),
  sip_uri: z.string().max(255, 'expected at most 255 characters').refine(validSipUri, 'expected a SIP URI such as sip:gw1.example.net:5060'),
  transport: z.enum(TRANSPORTS, 'expected udp, tcp or tls'),
  tech_prefix: z.string().regex(/^\d{0,20}$/, 'expected up to 20 digits (or empty for none)'),
  send_plus: z.boolean(),
  max_concurrent: positiveOrNull('max_concurrent'),
  cps: positiveOrNull('cps'),
  sources: z.array(z.string()).max(100, 'at most 100 sources').transform((list, ctx) => {
    const out: string[] = [];
    for (const s of list) {
      const n = normaliseSource(s);
      if (n === undefined) ctx.addIssue({ code: 'custom', message: `"${s.slice(0, 60)}" is not an IP address or CIDR (e.g. 203.0.113.7, 198.51.100.0/24, 2001:db8::/32)` });
      else if (!out.includes(n)) out.push(n);
    }
    return out;
  }),
  enabled: z.boolean(),
  priority: z.number().int('priority must be a whole number').min(-1000, 'priority must be from -1000 to 1000').max(1000, 'priority must be from -1000 to 1000'),
  allow_loss: z.boolean(),
});

export const CARRIER_DEFAULTS: Omit<CarrierInput, 'name' | 'sip_uri'> = {
  transport: 'udp', tech_prefix: '', send_plus: false, max_concurrent: null, cps: null, sources: [], enabled: true, priority: 0, allow_loss: false,
};

/** Validates a whole carrier; throws a validation_error naming the first bad field (`details.field`). */
export function validateCarrier(input: CarrierInput): CarrierInput {
  const r = carrierSchema.safeParse(input);
  if (!r.success) {
    const issue = r.error.issues[0];
    const field = String(issue?.path[0] ?? '');
    throw new BillingError('validation_error', `${field}: ${issue?.message ?? 'invalid'}`, { field });
  }
  return r.data;
}

/** The user part the edge sends: tech prefix + ('+' if send_plus) + the E.164 digits. */
export const dialUser = (c: Pick<Carrier, 'tech_prefix' | 'send_plus'>, digits: string): string => `${c.tech_prefix}${c.send_plus ? '+' : ''}${digits}`;
