import net from 'node:net';
import type { AsteriskNode } from '../edge-config';
import type { Carrier } from '../routing-contract';

/**
 * Who sent a request: one of the Asterisk nodes (outbound calls), one of the carriers (by its sources:
 * addresses and CIDRs, IPv4 and IPv6, matched with Node's net.BlockList), or nobody we know.
 */
export type Source = { kind: 'node'; node: AsteriskNode } | { kind: 'carrier'; carrier: Carrier } | { kind: 'unknown' };

const family = (addr: string): 'ipv4' | 'ipv6' => (net.isIPv6(addr) ? 'ipv6' : 'ipv4');

/** IPv4-mapped IPv6 (::ffff:203.0.113.7) as the IPv4 address. */
function plain(addr: string): string {
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(addr);
  return (m?.[1] ?? addr).toLowerCase();
}

export class SourceMatcher {
  private readonly nodes: Map<string, AsteriskNode>;
  private carriers: Array<{ carrier: Carrier; list: net.BlockList }> = [];

  constructor(nodes: readonly AsteriskNode[]) {
    this.nodes = new Map(nodes.map((n) => [plain(n.host), n]));
  }

  /** Replaces the carriers (enabled ones only: a disabled carrier is refused inbound too). Bad entries are skipped and returned. */
  setCarriers(carriers: readonly Carrier[]): string[] {
    const bad: string[] = [];
    this.carriers = carriers.filter((c) => c.enabled).map((carrier) => {
      const list = new net.BlockList();
      for (const src of carrier.sources) {
        const [addr = '', bits] = src.trim().split('/');
        if (net.isIP(addr) === 0) { bad.push(`${carrier.name}: ${src}`); continue; }
        try {
          if (bits === undefined) list.addAddress(plain(addr), family(addr));
          else list.addSubnet(plain(addr), Number(bits), family(addr));
        } catch {
          bad.push(`${carrier.name}: ${src}`);
        }
      }
      return { carrier, list };
    });
    return bad;
  }

  carrierCount(): number {
    return this.carriers.length;
  }

  match(address: string): Source {
    const addr = plain(address);
    if (net.isIP(addr) === 0) return { kind: 'unknown' };
    const node = this.nodes.get(addr);
    if (node) return { kind: 'node', node };
    const hit = this.carriers.find((c) => c.list.check(addr, family(addr)));
    return hit ? { kind: 'carrier', carrier: hit.carrier } : { kind: 'unknown' };
  }
}
