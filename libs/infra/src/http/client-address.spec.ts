import { parseCidr, resolveClientAddress, TrustedProxies } from './client-address';

describe('resolveClientAddress', () => {
  const trusted = new TrustedProxies(['10.0.0.0/8', '127.0.0.1', 'fd00::/8']);

  it('is the TCP peer when nothing is trusted, whatever X-Forwarded-For says', () => {
    expect(resolveClientAddress('203.0.113.9', '127.0.0.1', new TrustedProxies([]))).toBe('203.0.113.9');
    expect(resolveClientAddress('::ffff:203.0.113.9', undefined, new TrustedProxies([]))).toBe('203.0.113.9');
  });

  it('ignores X-Forwarded-For from an untrusted peer', () => {
    expect(resolveClientAddress('198.51.100.1', '127.0.0.1', trusted)).toBe('198.51.100.1');
  });

  it('walks X-Forwarded-For from the right past trusted hops to the first untrusted one', () => {
    expect(resolveClientAddress('10.1.1.1', '198.51.100.7', trusted)).toBe('198.51.100.7');
    expect(resolveClientAddress('10.1.1.1', '127.0.0.1, 198.51.100.7, 10.2.2.2', trusted)).toBe('198.51.100.7');
    expect(resolveClientAddress('::ffff:10.1.1.1', ['192.0.2.1', '10.2.2.2'], trusted)).toBe('192.0.2.1');
    expect(resolveClientAddress('fd00::5', '2001:db8::1', trusted)).toBe('2001:db8::1');
    expect(resolveClientAddress('10.1.1.1', '[2001:db8::2]:443, 192.0.2.3:5000', trusted)).toBe('192.0.2.3');
  });

  it('stops at the last proxy when a hop is malformed, and takes the leftmost when every hop is trusted', () => {
    expect(resolveClientAddress('10.1.1.1', 'unknown', trusted)).toBe('10.1.1.1');
    expect(resolveClientAddress('10.1.1.1', '192.0.2.1, garbage, 10.2.2.2', trusted)).toBe('10.2.2.2');
    expect(resolveClientAddress('10.1.1.1', '127.0.0.1, 10.2.2.2', trusted)).toBe('127.0.0.1');
    expect(resolveClientAddress('10.1.1.1', undefined, trusted)).toBe('10.1.1.1');
  });

  it('takes no hop longer than an address with an interface zone id could be', () => {
    // Node's isIP accepts a zone id of any length; a forwarded "address" of kilobytes would become an audit field,
    // a log field and a limiter key.
    const huge = `fe80::1%${'a'.repeat(9000)}`;
    expect(resolveClientAddress('10.1.1.1', huge, trusted)).toBe('10.1.1.1');
    expect(resolveClientAddress('10.1.1.1', `192.0.2.1, [${huge}]:443, 10.2.2.2`, trusted)).toBe('10.2.2.2');
    expect(resolveClientAddress('10.1.1.1', 'fe80::1%eth0', trusted)).toBe('fe80::1%eth0');
    expect(resolveClientAddress('10.1.1.1', '[ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255%abcdefghijklmno]:65535', trusted)).toBe(
      'ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255%abcdefghijklmno',
    );
  });

  it('parses IPv4 and IPv6 addresses and CIDRs, and nothing else', () => {
    expect(parseCidr('10.0.0.0/8')).toEqual({ address: '10.0.0.0', prefix: 8, family: 'ipv4' });
    expect(parseCidr('::1')).toEqual({ address: '::1', prefix: 128, family: 'ipv6' });
    expect(parseCidr('::ffff:10.0.0.1')).toEqual({ address: '10.0.0.1', prefix: 32, family: 'ipv4' });
    for (const bad of ['10.0.0.0/33', 'fd00::/129', 'localhost', '10.0.0.0/x', '', '10.0.0/8', '*']) expect(parseCidr(bad)).toBeNull();
  });
});
