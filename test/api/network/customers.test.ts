import { makeTestApp, type TestApp } from '../../helpers/app';
import { FakeNas } from '../../fakes/fake-nas';

let t: TestApp;
let nas: FakeNas;
let planId: number;
let plan2Id: number;

beforeAll(async () => {
  nas = new FakeNas('nas-secret');
  await nas.listen();
  t = await makeTestApp({ env: { COA_TIMEOUT_MS: '2000', COA_RETRIES: '0' } });
  planId = (await t.call('add_plan', { name: 'FTTH 100', download: '100M', upload: '10M', price: '25' })).data.id;
  plan2Id = (await t.call('add_plan', { name: 'VDSL 50', download: '50M', upload: '5M', price: '20' })).data.id;
  await t.call('add_router', { ip: '127.0.0.1', name: 'core', user: 'admin', pass: 'x', radius_secret: 'nas-secret', coa_port: String(nas.port) });
});
afterAll(async () => {
  await t.close();
  await nas.close();
});

const radiusRows = async (username: string) => ({
  check: (await t.db('radcheck').where({ username }).orderBy('id')).map((r) => [r.attribute, r.op, r.value]),
  reply: (await t.db('radreply').where({ username }).orderBy('id')).map((r) => [r.attribute, r.op, r.value]),
  groups: (await t.db('radusergroup').where({ username })).map((r) => r.groupname),
});

test('add creates the subscriber, its RADIUS rows and a customer.created event in one go', async () => {
  const body = await t.call('add', {
    username: 'alice',
    password: 's3cret!',
    fullname: 'Alice Papadopoulou',
    email: 'alice@example.gr',
    phone: '+30 210 1234567',
    plan: 'FTTH 100',
    address: 'Ermou 1, Athens',
    afm: '094014201',
    static_ip: '10.10.0.5',
    mac_address: 'aa-bb-cc-dd-ee-f0',
    custom_fields: { ont_serial: 'HWTC1234', vlan: '100' },
  });
  expect(body).toMatchObject({
    ok: true,
    data: {
      id: expect.any(Number),
      username: 'alice',
      plan_id: planId,
      plan: 'FTTH 100',
      static_ip: '10.10.0.5',
      mac_address: 'AA:BB:CC:DD:EE:F0',
      custom_fields: { ont_serial: 'HWTC1234', vlan: '100' },
      status: 'active',
    },
  });
  expect(JSON.stringify(body)).not.toContain('s3cret!');
  expect(await radiusRows('alice')).toEqual({
    check: [['Cleartext-Password', ':=', 's3cret!']],
    reply: [['Framed-IP-Address', ':=', '10.10.0.5']],
    groups: [`plan-${planId}`],
  });
  const ev = await t.db('outbox_events').where({ event: 'customer.created' }).first();
  expect(JSON.parse(ev.payload).data).toMatchObject({ id: body.data.id, username: 'alice' });
  expect(ev.payload).not.toContain('s3cret!');
  expect(t.logs.join('\n')).not.toContain('s3cret!');
  const audit = await t.db('audit_log').where({ action: 'add' });
  expect(audit.length).toBe(1);
  expect(JSON.stringify(audit)).not.toContain('s3cret!');
});

test('plan_id is accepted instead of the plan name', async () => {
  const body = await t.call('add', { username: 'bob', password: 'pw', plan_id: String(plan2Id) });
  expect(body).toMatchObject({ ok: true, data: { username: 'bob', plan: 'VDSL 50' } });
});

test.each([
  [{ username: 'alice', password: 'x', plan: 'FTTH 100' }, 'duplicate_username'],
  [{ username: 'c1', password: 'x', plan: 'FTTH 100', mac_address: 'zz:bb:cc:dd:ee:ff' }, 'invalid_mac_address'],
  [{ username: 'c1', password: 'x', plan: 'FTTH 100', static_ip: '10.10.0.256' }, 'invalid_static_ip'],
  [{ username: 'c1', password: 'x', plan: 'FTTH 100', static_ip: '10.10.0.5' }, 'invalid_static_ip'],
  [{ username: 'c1', password: 'x', plan: 'FTTH 100', email: 'not-an-email' }, 'invalid_email'],
  [{ username: 'c1', password: 'x', plan: 'FTTH 100', afm: '123456789' }, 'invalid_afm'],
  [{ username: 'c1', password: 'x', plan: 'Gold' }, 'plan_not_found'],
  [{ username: 'c1', password: 'x' }, 'missing_plan'],
  [{ password: 'x', plan: 'FTTH 100' }, 'missing_username'],
  [{ username: 'c 1', password: 'x', plan: 'FTTH 100' }, 'invalid_username'],
  [{ username: 'c1', password: 'x', plan: 'FTTH 100', router: 'nowhere' }, 'router_not_found'],
])('add refuses %j with %s and writes nothing', async (fields, code) => {
  const body = await t.call('add', fields);
  expect(body).toMatchObject({ ok: false, error: code, message: expect.any(String) });
  expect(await t.db('customers').where({ username: 'c1' }).first()).toBeUndefined();
  expect(await t.db('radcheck').where({ username: 'c1' })).toHaveLength(0);
});

test('the taken static IP message names the holder', async () => {
  const body = await t.call('add', { username: 'c2', password: 'x', plan: 'FTTH 100', static_ip: '10.10.0.5' });
  expect(body.message).toContain('alice');
});

test('edit changes plan and clears a field (a plan change CoAs live sessions), then renames (RADIUS rows follow)', async () => {
  const alice = await t.db('customers').where({ username: 'alice' }).first();
  await t.db('radacct').insert({ acctsessionid: 'a1', acctuniqueid: 'ua1', username: 'alice', nasipaddress: '127.0.0.1', acctstarttime: '2026-11-22 09:00:00' });
  nas.sessions.push({ userName: 'alice', acctSessionId: 'a1' });
  const body = await t.call('edit', { id: alice.id, plan: 'VDSL 50', email: '', 'custom_fields[vlan]': '' });
  expect(body).toMatchObject({
    ok: true,
    data: { id: alice.id, username: 'alice', plan: 'VDSL 50', email: null, custom_fields: { ont_serial: 'HWTC1234' }, coa: { sessions: 1, acked: 1 } },
  });
  expect(nas.sessions[0].rateLimit).toBe('5M/50M');
  // The session under the old name is ended: no later suspend or delete could find it under the new one.
  const renamed = await t.call('edit', { id: alice.id, username: 'alice2' });
  expect(renamed).toMatchObject({ ok: true, data: { username: 'alice2', sessions_ended: { sessions: 1, acked: 1 } } });
  expect(nas.sessions).toHaveLength(0);
  expect(await radiusRows('alice')).toEqual({ check: [], reply: [], groups: [] });
  expect(await radiusRows('alice2')).toEqual({
    check: [['Cleartext-Password', ':=', 's3cret!']],
    reply: [['Framed-IP-Address', ':=', '10.10.0.5']],
    groups: [`plan-${plan2Id}`],
  });
});

test('edit refuses a rename onto a taken username, an unknown subscriber and a bad MAC', async () => {
  const a = await t.db('customers').where({ username: 'alice2' }).first();
  expect(await t.call('edit', { id: a.id, username: 'bob' })).toMatchObject({ ok: false, error: 'duplicate_username' });
  expect(await t.call('edit', { id: 99999, fullname: 'x' })).toMatchObject({ ok: false, error: 'customer_not_found' });
  expect(await t.call('edit', { id: a.id, mac_address: '01:00:5e:00:00:01' })).toMatchObject({ ok: false, error: 'invalid_mac_address' });
  expect((await t.db('customers').where({ id: a.id }).first()).username).toBe('alice2');
});

test('toggle_status suspends: Auth-Type Reject, customer.suspended event, live session disconnected; and back', async () => {
  const a = await t.db('customers').where({ username: 'alice2' }).first();
  await t.db('radacct').insert({ acctsessionid: 'a2', acctuniqueid: 'ua2', username: 'alice2', nasipaddress: '127.0.0.1', acctstarttime: '2026-11-22 09:30:00' });
  nas.sessions.push({ userName: 'alice2', acctSessionId: 'a2' });
  const body = await t.call('toggle_status', { id: a.id, reason: 'unpaid' });
  expect(body).toMatchObject({ ok: true, data: { status: 'suspended', suspend_reason: 'unpaid', changed: true, disconnect: { sessions: 1, acked: 1 } } });
  expect(nas.received.at(-1)).toMatchObject({ code: 'Disconnect-Request', attributes: { 'User-Name': 'alice2', 'Acct-Session-Id': 'a2' } });
  expect((await radiusRows('alice2')).check).toContainEqual(['Auth-Type', ':=', 'Reject']);
  const ev = await t.db('outbox_events').where({ event: 'customer.suspended' }).first();
  expect(JSON.parse(ev.payload).data).toMatchObject({ id: a.id, status: 'suspended', reason: 'unpaid' });

  const back = await t.call('toggle_status', { username: 'alice2', status: 'active' });
  expect(back).toMatchObject({ ok: true, data: { status: 'active', changed: true } });
  expect((await radiusRows('alice2')).check).toEqual([['Cleartext-Password', ':=', 's3cret!']]);
  expect(await t.db('outbox_events').where({ event: 'customer.unsuspended' })).toHaveLength(1);
});

test('toggle_status bad input: unknown status value, unknown subscriber, nothing named', async () => {
  expect(await t.call('toggle_status', { username: 'bob', status: 'frozen' })).toMatchObject({ ok: false, error: 'invalid_status' });
  expect(await t.call('toggle_status', { username: 'ghost' })).toMatchObject({ ok: false, error: 'customer_not_found' });
  expect(await t.call('toggle_status', {})).toMatchObject({ ok: false, error: 'missing_id' });
});

test('get_customer by id or username, with online state; unknown → customer_not_found', async () => {
  const byName = await t.call('get_customer', { username: 'alice2' }, { method: 'GET' });
  expect(byName).toMatchObject({ ok: true, data: { username: 'alice2', online: true, rate_limit: '5M/50M' } });
  const byId = await t.call('get_customer', { id: byName.data.id });
  expect(byId.data.username).toBe('alice2');
  expect(JSON.stringify(byId)).not.toContain('s3cret!');
  expect(await t.call('get_customer', { username: 'nobody' })).toMatchObject({ ok: false, error: 'customer_not_found' });
});

test('list_customers paginates, searches name/username/phone/email/AFM and filters', async () => {
  for (let i = 0; i < 5; i++) await t.call('add', { username: `bulk${i}`, password: 'pw', plan: 'FTTH 100', phone: `69000000${i}`, email: `bulk${i}@isp.example` });
  const page1 = await t.call('list_customers', { page: '1', per_page: '3' }, { method: 'GET' });
  expect(page1).toMatchObject({ ok: true, meta: { current_page: 1, per_page: 3, total: 7, last_page: 3 } });
  expect(page1.data).toHaveLength(3);
  const page3 = await t.call('list_customers', { page: '3', per_page: '3' });
  expect(page3.data.map((c: { username: string }) => c.username)).toEqual(['bulk4']);

  const search = async (s: string) => (await t.call('list_customers', { search: s })).data.map((c: { username: string }) => c.username);
  expect(await search('papadop')).toEqual(['alice2']);
  expect(await search('690000003')).toEqual(['bulk3']);
  expect(await search('094014201')).toEqual(['alice2']);
  expect(await search('bulk2@isp')).toEqual(['bulk2']);
  expect(await search('%')).toEqual([]);

  const byPlan = await t.call('list_customers', { plan: 'VDSL 50' });
  expect(byPlan.data.map((c: { username: string }) => c.username).sort()).toEqual(['alice2', 'bob']);
  await t.call('toggle_status', { username: 'bob' });
  const suspended = await t.call('list_customers', { status: 'suspended' });
  expect(suspended.data.map((c: { username: string }) => c.username)).toEqual(['bob']);
});

test('list_customers bad input: per_page over 100, unknown plan', async () => {
  expect(await t.call('list_customers', { per_page: '500' })).toMatchObject({ ok: false, error: 'invalid_per_page' });
  expect(await t.call('list_customers', { plan: 'Gold' })).toMatchObject({ ok: false, error: 'plan_not_found' });
});

test('delete removes the subscriber and every RADIUS row, and disconnects live sessions', async () => {
  const a = await t.db('customers').where({ username: 'alice2' }).first();
  // She redialled after the unsuspend (same accounting row in this test, live again on the NAS).
  nas.sessions.push({ userName: 'alice2', acctSessionId: 'a2' });
  const body = await t.call('delete', { id: a.id });
  expect(body).toMatchObject({ ok: true, data: { id: a.id, deleted: true, sessions_ended: { sessions: 1, acked: 1 } } });
  expect(await t.db('customers').where({ id: a.id }).first()).toBeUndefined();
  expect(await radiusRows('alice2')).toEqual({ check: [], reply: [], groups: [] });
  expect(await t.db('outbox_events').where({ event: 'customer.deleted' })).toHaveLength(1);
  expect(await t.call('delete', { id: a.id })).toMatchObject({ ok: false, error: 'customer_not_found' });
  expect(await t.call('delete', {})).toMatchObject({ ok: false, error: 'missing_id' });
});
