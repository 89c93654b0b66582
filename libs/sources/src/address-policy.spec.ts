import { ConfigError } from '@app/config';
import { type AddressClass, classifyAddress, parseAddress, PrivateAllowlist } from './address-policy';

const classOf = (text: string): AddressClass => {
  const parsed = parseAddress(text);
  if (!parsed) throw new Error(`not an address: ${text}`);
  return classifyAddress(parsed).class;
};

describe('address policy', () => {
  it.each([
    ['10.0.0.5'],
    ['172.16.0.1'],
    ['172.31.255.255'],
    ['192.168.1.1'],
    ['127.0.0.1'],
    ['127.255.255.254'],
    ['169.254.1.1'],
    ['100.64.0.1'],
    ['100.127.255.255'],
    ['192.0.0.8'],
    ['192.0.2.1'],
    ['198.51.100.7'],
    ['203.0.113.9'],
    ['198.18.0.1'],
    ['198.19.255.255'],
    ['240.0.0.1'],
    ['::1'],
    ['fe80::1'],
    ['fe80::1%eth0'],
    ['fc00::1'],
    ['fd12:3456::1'],
    ['2001:db8::1'],
    ['::ffff:127.0.0.1'],
    ['::ffff:a00:1'],
    ['::ffff:0:a00:1'], // rfc6145 translated 10.0.0.1
    ['64:ff9b::a00:1'], // NAT64 of 10.0.0.1
    ['64:ff9b::7f00:1'], // NAT64 of 127.0.0.1
    ['64:ff9b:1::5db8:d822'], // local-use NAT64, whatever it embeds
    ['2002:a00:1::1'], // 6to4 of 10.0.0.1
    ['2002:c0a8:101::1'], // 6to4 of 192.168.1.1
    ['2001:0:a00:1::1'], // Teredo with server 10.0.0.1
    ['2001:0:5db8:d822:0:0:80ff:fffe'], // Teredo with public server, client 127.0.0.1 (inverted)
    ['::7f00:1'], // IPv4-compatible ::127.0.0.1
    ['100::1'], // discard-only
    ['fec0::1'], // site-local
    ['2001:2::1'], // benchmarking
    ['3fff::1'], // documentation
  ])('%s is private', (text) => {
    expect(classOf(text)).toBe('private');
  });

  it.each([
    ['169.254.169.254'],
    ['169.254.170.2'],
    ['fd00:ec2::254'],
    ['::ffff:169.254.169.254'],
    ['64:ff9b::a9fe:a9fe'],
    ['0.0.0.0'],
    ['0.1.2.3'],
    ['::'],
    ['255.255.255.255'],
    ['224.0.0.1'],
    ['239.255.255.250'],
    ['ff02::1'],
    ['::ffff:0.0.0.0'],
  ])('%s is never reachable', (text) => {
    expect(classOf(text)).toBe('never');
  });

  it.each([
    ['93.184.216.34'],
    ['8.8.8.8'],
    ['1.1.1.1'],
    ['2606:2800:220:1:248:1893:25c8:1946'],
    ['::ffff:93.184.216.34'],
    ['64:ff9b::5db8:d822'], // NAT64 of a public address: how IPv6-only hosts reach IPv4 sites
    ['2002:5db8:d822::1'],
  ])('%s is public', (text) => {
    expect(classOf(text)).toBe('public');
  });

  it('parses only the strict forms resolvers return, never inet_aton spellings', () => {
    expect(parseAddress('0x7f.1')).toBeUndefined();
    expect(parseAddress('0177.0.0.1')).toBeUndefined();
    expect(parseAddress('2130706433')).toBeUndefined();
    expect(parseAddress('example.com')).toBeUndefined();
    expect(parseAddress('127.0.0.1')?.toString()).toBe('127.0.0.1');
  });

  describe('private allow-list', () => {
    it('matches CIDRs, single addresses and exact host names', () => {
      const list = new PrivateAllowlist(['127.0.0.0/8', ' 10.1.2.3 ', 'fd00::/8', 'Images.Internal.', '']);
      expect(list.allowsAddress(parseAddress('127.0.0.1')!)).toBe(true);
      expect(list.allowsAddress(parseAddress('::ffff:127.0.0.1')!)).toBe(true);
      expect(list.allowsAddress(parseAddress('10.1.2.3')!)).toBe(true);
      expect(list.allowsAddress(parseAddress('10.1.2.4')!)).toBe(false);
      expect(list.allowsAddress(parseAddress('fd00::5')!)).toBe(true);
      expect(list.allowsAddress(parseAddress('::1')!)).toBe(false);
      expect(list.allowsHost('images.internal')).toBe(true);
      expect(list.allowsHost('IMAGES.internal.')).toBe(true);
      expect(list.allowsHost('other.internal')).toBe(false);
      expect(list.allowsHost('sub.images.internal')).toBe(false);
    });

    it('refuses entries that are neither, at boot, listing each', () => {
      let caught: unknown;
      try {
        new PrivateAllowlist(['10.0.0.0/33', 'not a host', '127.0.0.0/8']);
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(ConfigError);
      expect((caught as ConfigError).problems).toHaveLength(2);
    });
  });
});
