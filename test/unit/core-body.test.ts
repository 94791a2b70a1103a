import { parseQuery } from '../../src/gateway/body';

test.each([
  ['ids[]=1&ids[]=2', { ids: ['1', '2'] }],
  ['permissions[customers]=read&permissions[billing]=none', { permissions: { customers: 'read', billing: 'none' } }],
  ['vat[24]=101&vat[13]=102', { vat: { '24': '101', '13': '102' } }],
  ['n[0]=a&n[1]=b', { n: ['a', 'b'] }],
  ['n[1]=a&n[2]=b', { n: { '1': 'a', '2': 'b' } }],
  ['lines[0][description]=Fiber&lines[0][qty]=1&lines[1][description]=Router&lines[1][qty]=2', { lines: [{ description: 'Fiber', qty: '1' }, { description: 'Router', qty: '2' }] }],
  ['a=1&a=2', { a: ['1', '2'] }],
  ['name=Caf%C3%A9+Net', { name: 'Café Net' }],
  ['__proto__[polluted]=1&constructor[prototype][x]=1', {}],
])('PHP http_build_query %s', (q, expected) => {
  expect(parseQuery(q)).toEqual(expected);
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
});

test('a long list stays a list', () => {
  const q = Array.from({ length: 500 }, (_, i) => `ids[]=${i}`).join('&');
  const r = parseQuery(q) as { ids: string[] };
  expect(Array.isArray(r.ids)).toBe(true);
  expect(r.ids).toHaveLength(500);
});
