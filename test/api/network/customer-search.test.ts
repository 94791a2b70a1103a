import { makeTestApp, type TestApp } from '../../helpers/app';
import { reindexCustomerSearch, searchTerms } from '../../../src/services/network/customer-search';
import { nowUtc } from '../../../src/db/knex';

/** Subscriber search reads the word index (customer_search_terms); every write path keeps it true. */
let t: TestApp;
beforeAll(async () => {
  t = await makeTestApp();
  await t.call('add_plan', { name: 'FTTH 100', download: '100M', upload: '10M', price: '25' });
  const add = (username: string, extra: Record<string, string>) => t.call('add', { username, password: 'pw-123456', plan: 'FTTH 100', ...extra });
  expect((await add('nikos.pap', { fullname: 'Νίκος Παπαδόπουλος', phone: '+30 697 1234567', email: 'nikos@mail.example' })).ok).toBe(true);
  expect((await add('maria_k', { fullname: 'María Karagianni', phone: '2101234599', afm: '094014201' })).ok).toBe(true);
  expect((await add('kostas', { fullname: 'Kostas Papadakis', email: 'kp@isp.example' })).ok).toBe(true);
});
afterAll(async () => t?.close());

const search = async (s: string, extra: Record<string, string> = {}) => {
  const r = await t.call('list_customers', { search: s, ...extra });
  expect(r.ok).toBe(true);
  return r.data.map((c: { username: string }) => c.username);
};

test('every word of the query must start a word of the name, username, e-mail or AFM; case and accents ignored', async () => {
  expect(await search('pap')).toEqual(['nikos.pap', 'kostas']);
  expect(await search('papad')).toEqual(['kostas']);
  expect(await search('ΠΑΠΑΔ')).toEqual(['nikos.pap']);
  expect(await search('νικος παπαδ')).toEqual(['nikos.pap']);
  expect(await search('maria')).toEqual(['maria_k']);
  expect(await search('MARÍA karag')).toEqual(['maria_k']);
  expect(await search('0940')).toEqual(['maria_k']);
  expect(await search('isp.example')).toEqual(['kostas']);
  expect(await search('kostas papadopoulos')).toEqual([]);
  // A word's middle is not its start: the meaning of search is word starts, the same on both databases.
  expect(await search('adakis')).toEqual([]);
});

test('a phone number is found whole, with its country code or without, or by its last digits', async () => {
  expect(await search('6971234567')).toEqual(['nikos.pap']);
  expect(await search('+30 697 123 4567')).toEqual(['nikos.pap']);
  expect(await search('697-123')).toEqual(['nikos.pap']);
  expect(await search('4567')).toEqual(['nikos.pap']);
  expect(await search('4599')).toEqual(['maria_k']);
  expect(await search('567')).toEqual([]);
});

test('wildcards are characters; punctuation alone matches nothing', async () => {
  expect(await search('%')).toEqual([]);
  expect(await search('_')).toEqual([]);
  expect(await search('kosta%')).toEqual(await search('kosta')); // '%' separates words like any punctuation
  expect(await search('maria_')).toEqual(['maria_k']);
});

test('edit, status changes and delete keep the index true', async () => {
  expect((await t.call('edit', { username: 'kostas', fullname: 'Konstantinos Georgiou' })).ok).toBe(true);
  expect(await search('papadakis')).toEqual([]); // the old name's words are gone
  expect(await search('georg')).toEqual(['kostas']);
  expect(await search('kostas konst')).toEqual(['kostas']);
  const id = (await t.db('customers').where({ username: 'kostas' }).first('id')).id;
  expect((await t.call('edit', { id: String(id), username: 'konstantinos' })).ok).toBe(true);
  expect(await search('konstantinos georgiou')).toEqual(['konstantinos']);
  expect((await t.call('toggle_status', { username: 'konstantinos' })).ok).toBe(true);
  expect(await search('georg', { status: 'suspended' })).toEqual(['konstantinos']);
  expect((await t.call('delete', { username: 'konstantinos' })).ok).toBe(true);
  expect(await search('georg')).toEqual([]);
  expect(await t.db('customer_search_terms').whereNotIn('customer_id', t.db('customers').select('id')).count({ n: '*' })).toEqual([{ n: 0 }]);
});

test('search pages with a cursor and a total, like any other filter', async () => {
  for (let i = 0; i < 5; i++) expect((await t.call('add', { username: `page${i}`, password: 'pw-123456', plan: 'FTTH 100', fullname: `Pagetest Person${i}` })).ok).toBe(true);
  const first = await t.call('list_customers', { search: 'pagetest', per_page: '2' });
  expect(first.meta).toMatchObject({ total: 5, last_page: 3 });
  const seen = first.data.map((c: { username: string }) => c.username);
  let cursor = first.meta.next_cursor;
  while (cursor) {
    const r = await t.call('list_customers', { search: 'pagetest', per_page: '2', cursor });
    seen.push(...r.data.map((c: { username: string }) => c.username));
    cursor = r.meta.next_cursor;
  }
  expect(seen).toEqual(['page0', 'page1', 'page2', 'page3', 'page4']);
});

test('rows written with SQL, around the API, are found after a reindex', async () => {
  const now = nowUtc();
  const plan = await t.db('plans').first('id');
  await t.db('customers').insert({ username: 'imported1', password: 'x', fullname: 'Imported Zoe', plan_id: plan.id, status: 'active', created_at: now, updated_at: now });
  expect(await search('zoe')).toEqual([]);
  expect(await reindexCustomerSearch(t.db)).toBe(await t.db('customers').count({ n: '*' }).then((r) => Number(r[0].n)));
  expect(await search('zoe')).toEqual(['imported1']);
});

test('concurrent edits of neighbouring subscribers and concurrent adds all succeed, and the index is exact', async () => {
  for (let i = 0; i < 20; i++) expect((await t.call('add', { username: `nb${i}`, password: 'pw-123456', plan: 'FTTH 100', fullname: `Neighbour Before${i}` })).ok).toBe(true);
  const replies = await Promise.all([
    ...Array.from({ length: 20 }, (_, i) => t.call('edit', { username: `nb${i}`, fullname: `Neighbour After${i}` })),
    ...Array.from({ length: 20 }, (_, i) => t.call('add', { username: `na${i}`, password: 'pw-123456', plan: 'FTTH 100', fullname: `Newcomer Person${i}` })),
  ]);
  expect(replies.filter((r) => !r.ok)).toEqual([]);
  expect(await search('before')).toEqual([]);
  expect((await search('after')).sort()).toEqual(Array.from({ length: 20 }, (_, i) => `nb${i}`).sort());
  expect((await search('newcomer')).sort()).toEqual(Array.from({ length: 20 }, (_, i) => `na${i}`).sort());
  // The index holds exactly what searchTerms() gives for every subscriber.
  for (const c of await t.db('customers').select('id', 'username', 'fullname', 'email', 'phone', 'afm')) {
    const terms = (await t.db('customer_search_terms').where({ customer_id: c.id }).pluck('term')).sort();
    expect({ id: c.id, terms }).toEqual({ id: c.id, terms: searchTerms(c).sort() });
  }
});

test('a word more than ten thousand subscribers share is answered by walking subscribers in order, with the same results', async () => {
  const now = nowUtc();
  const plan = await t.db('plans').first('id');
  const rows = Array.from({ length: 10_100 }, (_, i) => ({ username: `cm${i}`, password: 'x', fullname: `Commonword Rare${i % 7 === 0 ? 'x' : 'y'}${i}`, plan_id: plan.id, status: i % 2 ? 'active' : 'suspended', created_at: now, updated_at: now }));
  for (let i = 0; i < rows.length; i += 300) await t.db('customers').insert(rows.slice(i, i + 300));
  await reindexCustomerSearch(t.db);
  const all = async (params: Record<string, string>) => {
    const out: string[] = [];
    let cursor: string | null = null;
    do {
      const r = await t.call('list_customers', { per_page: '100', ...params, ...(cursor ? { cursor } : {}) });
      expect(r.ok).toBe(true);
      out.push(...r.data.map((c: { username: string }) => c.username));
      cursor = r.meta.next_cursor;
    } while (cursor);
    return out;
  };
  const expected = (pred: (i: number) => boolean) => rows.map((r, i) => (pred(i) ? r.username : null)).filter(Boolean);
  expect(await all({ search: 'commonword' })).toEqual(expected(() => true));
  expect(await all({ search: 'COMMON', status: 'suspended' })).toEqual(expected((i) => i % 2 === 0));
  expect(await all({ search: 'commonword rarex' })).toEqual(expected((i) => i % 7 === 0));
  expect(await all({ search: 'commonword rarey11' })).toEqual(expected((i) => i % 7 !== 0 && String(i).startsWith('11')));
  expect((await t.call('list_customers', { search: 'commonword', page: '3', per_page: '50' })).data.map((c: { username: string }) => c.username)).toEqual(expected(() => true).slice(100, 150));
});
