import { ipKeyGenerator } from 'express-rate-limit';

/**
 * IPv6 addresses are keyed by their /64: one subscriber or host usually holds a whole /64 (often
 * more), so keying each address would give an attacker 2^64 fresh keys.
 */
export const IPV6_KEY_PREFIX = 64;

/**
 * The throttle key of a client address (`ip:…`): an IPv4 address as is, an IPv4-mapped IPv6
 * address (`::ffff:203.0.113.9`, what a dual-stack socket reports) as its IPv4 address, any other
 * IPv6 address as its /64 network (`ip:2001:db8:1:2::/64`). Uses express-rate-limit's own
 * `ipKeyGenerator`, so the request-rate limits and the failure throttles key addresses alike.
 */
export function clientIpKey(ip: string): string {
  return `ip:${ipKeyGenerator(ip, IPV6_KEY_PREFIX)}`;
}
