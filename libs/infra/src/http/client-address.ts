import { BlockList, isIP } from 'node:net';
import type { FastifyInstance, FastifyRequest } from 'fastify';

declare module 'fastify' {
  interface FastifyRequest {
    /**
     * The client's address: the TCP peer, or, when the peer is a trusted proxy (`server.trustedProxies`), the first
     * X-Forwarded-For hop from the right that is not itself a trusted proxy. Empty when the socket is already gone.
     */
    readonly clientIp: string;
  }
}

const MAPPED_V4 = /^::ffff:(\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3})$/i;

/** `::ffff:10.0.0.1` → `10.0.0.1`, so one client has one address whichever socket family it arrived on. */
export function normalizeAddress(address: string): string {
  const m = MAPPED_V4.exec(address);
  return m ? m[1] : address;
}

/** A `server.trustedProxies` entry: an IPv4 or IPv6 address or CIDR, or null when it is neither. */
export function parseCidr(entry: string): { address: string; prefix: number; family: 'ipv4' | 'ipv6' } | null {
  const slash = entry.indexOf('/');
  const address = normalizeAddress((slash === -1 ? entry : entry.slice(0, slash)).trim());
  const version = isIP(address);
  if (version === 0) return null;
  const max = version === 4 ? 32 : 128;
  const prefixText = slash === -1 ? String(max) : entry.slice(slash + 1).trim();
  if (!/^\d{1,3}$/.test(prefixText) || Number(prefixText) > max) return null;
  return { address, prefix: Number(prefixText), family: version === 4 ? 'ipv4' : 'ipv6' };
}

/** The proxies whose X-Forwarded-For is believed, compiled once from their CIDRs. */
export class TrustedProxies {
  readonly empty: boolean;
  private readonly list = new BlockList();

  /** Entries must be valid (the config loader refuses invalid ones before they get here). */
  constructor(cidrs: readonly string[]) {
    for (const entry of cidrs) {
      const cidr = parseCidr(entry);
      if (!cidr) throw new Error(`not an IP address or CIDR: ${entry}`);
      this.list.addSubnet(cidr.address, cidr.prefix, cidr.family);
    }
    this.empty = cidrs.length === 0;
  }

  /** True for an address inside one of the CIDRs (`address` normalized, see normalizeAddress). */
  contains(address: string): boolean {
    if (this.empty) return false;
    const version = isIP(address);
    return version !== 0 && this.list.check(address, version === 4 ? 'ipv4' : 'ipv6');
  }
}

const compiled = new WeakMap<readonly string[], TrustedProxies>();

/** The compiled form of a config's `server.trustedProxies`, built once per config object. */
export function trustedProxiesOf(cidrs: readonly string[]): TrustedProxies {
  let t = compiled.get(cidrs);
  if (!t) compiled.set(cidrs, (t = new TrustedProxies(cidrs)));
  return t;
}

/**
 * The longest address text a hop may name: a full IPv6 address (45 characters) with a zone id of an interface name
 * (`%` and at most 15 characters). Node's `isIP` accepts a zone id of any length, and the client address becomes an
 * audit field, a log field and a limiter key: a hop of kilobytes is no address any socket had.
 */
const MAX_ADDRESS_CHARS = 61;

/** One X-Forwarded-For hop as an address (`[v6]:port` and `v4:port` forms included), or null when it is not one. */
function hopAddress(hop: string): string | null {
  let h = hop.trim();
  if (h.length > MAX_ADDRESS_CHARS + 8) return null;
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(h);
  if (bracketed) h = bracketed[1];
  else if (/^\d{1,3}(?:\.\d{1,3}){3}:\d+$/.test(h)) h = h.slice(0, h.lastIndexOf(':'));
  h = normalizeAddress(h);
  return h.length > MAX_ADDRESS_CHARS || isIP(h) === 0 ? null : h;
}

/**
 * Who the client is. The TCP peer, unless the peer is a trusted proxy: then X-Forwarded-For is walked from the right
 * (the hop the trusted proxy itself appended) past every trusted proxy, and the first untrusted hop is the client.
 * A client can put anything at the left of the header, but never past the hop its first trusted proxy appended, so
 * the address cannot be forged. A malformed hop stops the walk at the last proxy that named it; when every hop is
 * trusted, the leftmost one is the client.
 */
export function resolveClientAddress(peer: string | undefined, forwardedFor: string | string[] | undefined, trusted: TrustedProxies): string {
  let client = peer ? normalizeAddress(peer) : '';
  if (trusted.empty || !client || !trusted.contains(client) || forwardedFor === undefined) return client;
  const hops = (Array.isArray(forwardedFor) ? forwardedFor.join(',') : forwardedFor).split(',');
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = hopAddress(hops[i]);
    if (!hop) return client;
    client = hop;
    if (!trusted.contains(hop)) return hop;
  }
  return client;
}

/**
 * Gives every request of `fastify` its `clientIp` (computed when read, so a route that never reads it pays nothing). `trusted` is asked per request, so the planes can read it from the live config.
 */
export function installClientAddress(fastify: FastifyInstance, trusted: () => readonly string[]): void {
  fastify.decorateRequest('clientIp', {
    getter(this: FastifyRequest): string {
      return resolveClientAddress(this.socket?.remoteAddress, this.headers['x-forwarded-for'], trustedProxiesOf(trusted()));
    },
  });
}
