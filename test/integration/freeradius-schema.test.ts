import { makeTestApp, type TestApp } from '../helpers/app';
import { FREERADIUS_TABLES } from '../../src/db/freeradius-schema';

/** The FreeRADIUS tables come from one definition on both dialects: the columns FreeRADIUS's queries use are there. */
let t: TestApp;
beforeAll(async () => { t = await makeTestApp(); });
afterAll(async () => t?.close());

test.each(FREERADIUS_TABLES.map((d) => [d.name, d] as const))('%s has the defined columns, nullability and defaults', async (_name, def) => {
  const info = await t.db(def.name).columnInfo();
  expect(Object.keys(info).sort()).toEqual(def.columns.map((c) => c.name).sort());
  for (const c of def.columns) {
    expect([c.name, info[c.name].nullable]).toEqual([c.name, !c.notNull && c.name !== def.primary]);
    if (typeof c.default === 'string' && !c.autoIncrement) expect([c.name, String(info[c.name].defaultValue).replace(/^'|'$/g, '')]).toEqual([c.name, c.default]);
    const len = /\((\d+)\)/.exec(c.type);
    if (/char/.test(c.type) && len) expect([c.name, Number(info[c.name].maxLength)]).toEqual([c.name, Number(len[1])]);
  }
});

test('a stock post-auth row and an accounting start land with FreeRADIUS defaults', async () => {
  await t.db('radpostauth').insert({ username: 'probe', pass: 'secret', reply: 'Access-Accept' });
  expect(await t.db('radpostauth').where({ username: 'probe' }).first()).toMatchObject({ pass: '', reply: 'Access-Accept', class: null });
  await t.db('radacct').insert({ acctsessionid: 's1', acctuniqueid: 'u1', username: 'probe', nasipaddress: '127.0.0.1', acctstarttime: '2026-11-30 10:00:00' });
  expect(await t.db('radacct').where({ acctuniqueid: 'u1' }).first()).toMatchObject({ realm: '', framedipaddress: '', acctstoptime: null });
  await t.db('radcheck').insert({ username: 'probe', attribute: 'Cleartext-Password', value: 'x' });
  expect(await t.db('radcheck').where({ username: 'probe' }).first()).toMatchObject({ op: '==' });
});
