import { ipv4ToInt, isAssignableIpv4, normalizeIpv4, normalizeMac } from '../../../src/domain/net';

describe('normalizeMac', () => {
  test.each([
    ['aa:bb:cc:dd:ee:f0', 'AA:BB:CC:DD:EE:F0'],
    ['AA-BB-CC-DD-EE-F0', 'AA:BB:CC:DD:EE:F0'],
    ['aabb.ccdd.eef0', 'AA:BB:CC:DD:EE:F0'],
    ['aabbccddeef0', 'AA:BB:CC:DD:EE:F0'],
    [' 00:0c:29:12:34:56 ', '00:0C:29:12:34:56'],
  ])('%s → %s', (input, out) => expect(normalizeMac(input)).toBe(out));

  test.each([
    '',
    'aa:bb:cc:dd:ee',
    'aa:bb:cc:dd:ee:ff:00',
    'aa:bb-cc:dd:ee:f0', // mixed separators
    'gg:bb:cc:dd:ee:f0',
    '00:00:00:00:00:00',
    'ff:ff:ff:ff:ff:ff',
    '01:00:5e:00:00:01', // multicast
  ])('rejects %p', (input) => expect(normalizeMac(input)).toBeNull());
});

describe('normalizeIpv4', () => {
  test.each([
    ['10.10.0.5', '10.10.0.5'],
    [' 192.168.1.1 ', '192.168.1.1'],
    ['0.0.0.0', '0.0.0.0'],
  ])('%s → %s', (input, out) => expect(normalizeIpv4(input)).toBe(out));
  test.each(['', '10.10.0', '10.10.0.256', '10.10.0.05', '10.10.0.-1', 'a.b.c.d', '1.2.3.4.5', '1.2.3.4/24'])(
    'rejects %p',
    (input) => expect(normalizeIpv4(input)).toBeNull(),
  );
});

describe('isAssignableIpv4', () => {
  test.each([
    ['10.10.0.5', true],
    ['100.64.1.2', true],
    ['127.0.0.1', false],
    ['0.1.2.3', false],
    ['169.254.1.1', false],
    ['224.0.0.1', false],
    ['255.255.255.255', false],
    ['not-an-ip', false],
  ])('%s → %s', (ip, ok) => expect(isAssignableIpv4(ip)).toBe(ok));
  test('ipv4ToInt', () => expect(ipv4ToInt('10.0.1.2')).toBe(0x0a000102));
});
