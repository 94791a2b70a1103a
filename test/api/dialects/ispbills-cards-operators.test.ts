/**
 * Recharge cards and operators: the process.php actions (happy path and bad input) and ISPBills' v1 endpoints over
 * them. PINs are shown once and stored hashed, a card credits once, a top-up with one reference lands once.
 */
import request from 'supertest';
import { ADMIN_PASSWORD, makeTestApp, type TestApp } from '../../helpers/app';

let t: TestApp;
let v1: string;
let customerId: number;

const get = (path: string) => request(t.app).get(path).set('Authorization', `Bearer ${v1}`);
const send = (method: 'post' | 'put', path: string, body: unknown, headers: Record<string, string> = {}) => {
  let r = request(t.app)[method](path).set('Authorization', `Bearer ${v1}`).set('Content-Type', 'application/json');
  for (const [k, v] of Object.entries(headers)) r = r.set(k, v);
  return r.send(JSON.stringify(body));
};

beforeAll(async () => {
  t = await makeTestApp({ env: { RATE_LIMIT_BILLING: '1000' } });
  const plan = (await t.call('add_plan', { name: 'Basic', download: '10M', upload: '2M', price: '10' })).data.id;
  customerId = (await t.call('add', { username: 'carduser', password: 'pw-123456', plan_id: plan })).data.id;
  await t.db('admins').where({ is_primary: true }).update({ email: 'admin@example.com' });
  v1 = (await request(t.app).post('/api/auth/login').send({ email: 'admin@example.com', password: ADMIN_PASSWORD })).body.access_token;
});
afterAll(async () => t.close());

describe('recharge cards', () => {
  test('a batch answers its PINs once, stores them hashed; a PIN credits the balance once', async () => {
    const b = await t.call('recharge_card_batch_create', { name: 'November 500', quantity: '3', value: '500' });
    expect(b).toMatchObject({ ok: true, data: { id: expect.any(Number), quantity: 3, value: 500, cards: expect.any(Array) } });
    expect(b.data.cards).toHaveLength(3);
    const [first, second] = b.data.cards as Array<{ serial: string; pin: string }>;
    expect(first.pin).toMatch(/^\d{16}$/);
    const rows = await t.db('recharge_cards').where({ batch_id: b.data.id });
    expect(rows).toHaveLength(3);
    expect(JSON.stringify(rows)).not.toContain(first.pin);
    const list = await t.call('recharge_card_list', { batch_id: b.data.id });
    expect(list.meta).toMatchObject({ total: 3 });
    expect(JSON.stringify(list)).not.toContain(first.pin);

    const r = await t.call('recharge_card_redeem', { pin: first.pin, username: 'carduser' });
    expect(r).toMatchObject({ ok: true, data: { serial: first.serial, value: 500, customer_id: customerId, balance: 500, balance_cents: 50000 } });
    expect(await t.call('recharge_card_redeem', { pin: first.pin, customer_id: customerId })).toMatchObject({ ok: false, error: 'card_already_redeemed' });
    // Two redemptions of one card at once: one credit.
    const both = await Promise.all([t.call('recharge_card_redeem', { pin: second.pin, customer_id: customerId }), t.call('recharge_card_redeem', { pin: second.pin, customer_id: customerId })]);
    expect(both.filter((x) => x.ok)).toHaveLength(1);
    expect(await t.call('customer_balance', { customer_id: customerId })).toMatchObject({ ok: true, data: { balance: 1000, balance_cents: 100000 } });
    expect(await t.db('customer_credits').where({ customer_id: customerId })).toHaveLength(2);

    const v1list = await get('/api/v1/recharge-cards?status=redeemed');
    expect(v1list.status).toBe(200);
    expect(v1list.body.meta).toMatchObject({ current_page: 1, total: 2 });
    expect(v1list.body.data[0]).toMatchObject({ serial: expect.any(String), value: 500, status: 'redeemed', customer_id: customerId });
  });

  test('bad input: quantity beyond 1000, a zero value, a malformed or unknown PIN, an unknown subscriber', async () => {
    expect(await t.call('recharge_card_batch_create', { name: 'x', quantity: '1001', value: '5' })).toMatchObject({ ok: false, error: expect.stringMatching(/quantity/) });
    expect(await t.call('recharge_card_batch_create', { name: 'x', quantity: '1', value: '0' })).toMatchObject({ ok: false, error: 'invalid_value' });
    expect(await t.call('recharge_card_redeem', { pin: '12', customer_id: customerId })).toMatchObject({ ok: false, error: 'invalid_pin' });
    expect(await t.call('recharge_card_redeem', { pin: '0000000000000000', customer_id: customerId })).toMatchObject({ ok: false, error: 'card_not_found' });
    expect(await t.call('recharge_card_redeem', { pin: '0000000000000000', customer_id: 9999 })).toMatchObject({ ok: false });
    expect(await t.call('customer_balance', {})).toMatchObject({ ok: false });
  });

  test('an expired card is refused', async () => {
    const b = await t.call('recharge_card_batch_create', { name: 'Old', quantity: 1, value: '5', expires_on: '2020-01-31' });
    expect(await t.call('recharge_card_redeem', { pin: b.data.cards[0].pin, customer_id: customerId })).toMatchObject({ ok: false, error: 'card_expired' });
  });
});

describe('operators', () => {
  test('create, list, update, fund exactly once per reference, suspend', async () => {
    const c = await send('post', '/api/v1/operators', { name: 'North Reseller', email: 'north@example.com', phone: '0170' });
    expect(c.status).toBe(201);
    expect(c.body.data).toMatchObject({ id: expect.any(Number), name: 'North Reseller', status: 'active', balance: 0 });
    const id = c.body.data.id;
    expect((await t.call('operator_list')).data).toEqual([expect.objectContaining({ id, name: 'North Reseller' })]);

    const f1 = await send('post', `/api/v1/operators/${id}/fund`, { amount: 2500, reference: 'BANK-1' });
    expect(f1.status).toBe(201);
    expect(f1.body.data).toMatchObject({ id, balance: 2500, duplicate: false });
    const again = await send('post', `/api/v1/operators/${id}/fund`, { amount: 2500, reference: 'BANK-1' });
    expect(again.status).toBe(200);
    expect(again.body.data).toMatchObject({ balance: 2500, duplicate: true });
    const viaHeader = await send('post', `/api/v1/operators/${id}/fund`, { amount: 100 }, { 'Idempotency-Key': 'retry-key-1' });
    expect(viaHeader.body.data).toMatchObject({ balance: 2600 });
    const conflict = await send('post', `/api/v1/operators/${id}/fund`, { amount: 99, reference: 'BANK-1' });
    expect(conflict.status).toBe(409);
    expect(conflict.body.error.code).toBe('CONFLICT');
    // Parallel retries of one top-up: one lands.
    const par = await Promise.all([1, 2, 3].map(() => t.call('operator_fund', { id, amount: '10', reference: 'PAR-1' })));
    expect(par.map((x) => x.ok ? 'ok' : x.error + ':' + x.message)).toEqual(['ok', 'ok', 'ok']);
    expect((await t.db('operators').where({ id }).first()).balance_cents).toBe(261000);
    expect(await t.db('operator_funds').where({ operator_id: id })).toHaveLength(3);

    const noRef = await send('post', `/api/v1/operators/${id}/fund`, { amount: 5 });
    expect(noRef.status).toBe(422);
    expect(noRef.body.error.details).toEqual({ reference: [expect.any(String)] });

    const u = await send('put', `/api/v1/operators/${id}`, { phone: '0171' });
    expect(u.body.data).toMatchObject({ id, phone: '0171' });
    const s = await send('post', `/api/v1/operators/${id}/suspend`, {});
    expect(s.body.data).toMatchObject({ id, status: 'suspended' });
    expect(await t.call('operator_fund', { id, amount: '1', reference: 'X-2' })).toMatchObject({ ok: false, error: 'operator_suspended' });
    const l = await get('/api/v1/operators');
    expect(l.body).toEqual({ data: [expect.objectContaining({ id, status: 'suspended', balance: 2610 })], meta: { current_page: 1, per_page: 20, total: 1, last_page: 1 } });
  });

  test('bad input: missing name, a duplicate name, a negative amount, an unknown operator', async () => {
    expect(await t.call('operator_create', {})).toMatchObject({ ok: false, error: 'missing_name' });
    await t.call('operator_create', { name: 'Dup' });
    expect(await t.call('operator_create', { name: 'Dup' })).toMatchObject({ ok: false, error: 'duplicate_operator_name' });
    const dup = (await t.call('operator_list')).data.find((o: { name: string }) => o.name === 'Dup');
    expect(await t.call('operator_fund', { id: dup.id, amount: '-5', reference: 'n' })).toMatchObject({ ok: false });
    expect(await t.call('operator_fund', { id: 9999, amount: '5', reference: 'n' })).toMatchObject({ ok: false, error: 'operator_not_found' });
    const missing = await send('post', '/api/v1/operators', {});
    expect(missing.status).toBe(422);
    expect(missing.body.error.details).toEqual({ name: [expect.any(String)] });
  });
});
