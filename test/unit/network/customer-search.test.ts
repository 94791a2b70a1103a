import { queryWords, searchTerms, touchesSearch } from '../../../src/services/network/customer-search';

test('a subscriber is indexed by the words of username, name, e-mail and AFM, folded', () => {
  const terms = searchTerms({ username: 'eleni.p_77', fullname: 'Ελένη Παπαδοπούλου', email: 'Eleni@Example.GR', afm: '094014201', phone: null });
  expect(terms.sort()).toEqual(['094014201', '77', 'eleni', 'example', 'gr', 'p', 'ελενη', 'παπαδοπουλου'].sort());
});

test('a phone number is indexed by its digits and by every ending of at least 4 digits', () => {
  const terms = searchTerms({ phone: '+30 697-1234567' });
  expect(terms).toContain('306971234567');
  expect(terms).toContain('6971234567');
  expect(terms).toContain('4567');
  expect(terms).not.toContain('567');
  expect(searchTerms({ phone: '2101234567 ext 12' })).toEqual(expect.arrayContaining(['210123456712', 'ext']));
});

test('terms are distinct and at most 64 characters', () => {
  const long = 'x'.repeat(100);
  const terms = searchTerms({ username: long, fullname: `${long} ${long}` });
  expect(terms).toEqual(['x'.repeat(64)]);
});

test('a query is split into folded words, longest first; a phone number is its digits; punctuation alone is no word', () => {
  expect(queryWords('Nikos PAPAD')).toEqual(['nikos', 'papad']);
  expect(queryWords('  ΠΑΠΑΔ ελ ')).toEqual(['παπαδ', 'ελ']);
  expect(queryWords('+30 697 123 4567')).toEqual(['306971234567']);
  expect(queryWords('(210) 123-45')).toEqual(['21012345']);
  expect(queryWords('bulk2@isp')).toEqual(['bulk2', 'isp']);
  expect(queryWords('%')).toEqual([]);
  expect(queryWords('noc_ a a')).toEqual(['noc', 'a']);
});

test('only writes of a searched column rewrite the terms', () => {
  expect(touchesSearch({ fullname: 'x' })).toBe(true);
  expect(touchesSearch({ phone: null })).toBe(true);
  expect(touchesSearch({ plan_id: 3, status: 'active' })).toBe(false);
});
