import { isDeepStrictEqual } from 'node:util';
import { parseQuery, parseWithQs } from '../../src/gateway/body';

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

describe('the flat-form shortcut answers exactly as qs does', () => {
  // Every string of up to three pieces from this alphabet, without brackets (those always go through qs):
  // escapes good and bad, '+', repeated and empty keys, Object.prototype names, list-like numeric keys.
  const pieces = ['a', 'b', '=', '&', '+', '%', '%2', '%20', '%C3%A9', '%E9', '%5D', '%5d', '%26', '%3D', '.', '?', ' ', '0', '1', '__proto__', 'toString', 'constructor', 'hasOwnProperty', 'x=1', 'a=2'];
  const all: string[] = [];
  for (const p of pieces) for (const q of pieces) for (const r of pieces) all.push(p + q + r);

  test(`${all.length} strings`, () => {
    const differ = all.filter((s) => !isDeepStrictEqual(parseQuery(s), parseWithQs(s)));
    expect(differ).toEqual([]);
  });

  test('a repeated key is a list and keys 0..n-1 make a list, as through qs', () => {
    expect(parseQuery('a=1&a=2&a=3&b=x+y')).toEqual({ a: ['1', '2', '3'], b: 'x y' });
    expect(parseQuery('0=a&1=b')).toEqual(['a', 'b']);
    expect(parseQuery('v=%E9&w=%41')).toEqual({ v: '%E9', w: 'A' });
  });
});
