import { makeTestApp, type TestApp } from '../../helpers/app';
import { FakeMorServer } from '../../fakes/mor-server';
import { nowUtc } from '../../../src/db/knex';

describe('VoIP through MOR', () => {
  let t: TestApp;
  let mor: FakeMorServer;
  let alice: { id: number; balance: number };

  async function customer(username: string, extra: Record<string, unknown> = {}) {
    const now = nowUtc();
    let plan = await t.db('plans').first('id');
    if (!plan) {
      await t.db('plans').insert({ name: 'FTTH 100', download_bps: 100_000_000, upload_bps: 10_000_000, price_cents: 2480, created_at: now, updated_at: now });
      plan = await t.db('plans').first('id');
    }
    await t.db('customers').insert({ username, password: 'pw-12345', fullname: `${username[0].toUpperCase()}${username.slice(1)} Papadopoulou`, email: `${username}@example.org`, plan_id: plan!.id, status: 'active', created_at: now, updated_at: now, ...extra });
    return (await t.db('customers').where({ username }).first('id')).id as number;
  }

  const settings = () => ({ mor_url: mor.url, mor_user: mor.admin, mor_secret: mor.secret, currency: 'EUR', timeout_ms: 1000, mor_unique_hash: mor.uniqueHash, did_provider_id: 1 });

  beforeAll(async () => {
    mor = await new FakeMorServer().start();
    t = await makeTestApp();
    alice = mor.addUser({ id: 101, username: 'alice', balance: 5 });
    mor.addUser({ id: 102, username: 'bruno', balance: 0 });
    await customer('alice');
    await customer('bob');
    await customer('ghost', { mor_user_id: 999, mor_username: 'ghost' });
    await customer('bruno', { mor_user_id: 102, mor_username: 'bruno' });
  });
  afterAll(async () => {
    await t.close();
    await mor.stop();
  });

  it('VoIP actions need the voip permission; writes need voip.write', async () => {
    expect((await t.call('add_web_admin', { username: 'helpdesk', password: 'helpdesk-pass-1', role: 'support' })).ok).toBe(true);
    expect((await t.call('add_web_admin', { username: 'auditor', password: 'auditor-pass-1', role: 'readonly' })).ok).toBe(true);
    const support = (await t.call('api_key_create', { name: 'helpdesk', admin: 'helpdesk' })).data.key as string;
    const readonly = (await t.call('api_key_create', { name: 'auditor', admin: 'auditor' })).data.key as string;
    for (const action of ['get_voip_settings', 'mor_balance', 'mor_cdr', 'mor_tariffs']) {
      expect(await t.call(action, {}, { key: support })).toMatchObject({ ok: false, error: 'forbidden' });
    }
    for (const action of ['save_voip_settings', 'mor_topup', 'mor_provisioning']) {
      expect(await t.call(action, {}, { key: readonly })).toMatchObject({ ok: false, error: 'forbidden' });
    }
    expect(await t.call('get_voip_settings', {}, { key: readonly })).toMatchObject({ ok: true, data: { configured: false } });
  });

  describe('settings', () => {
    it('refuses a URL without the API prefix, and a wrong secret with test=1 saves nothing', async () => {
      const bad = await t.call('save_voip_settings', { ...settings(), mor_url: 'http://127.0.0.1:1/billing/' });
      expect(bad).toMatchObject({ ok: false, error: 'invalid_mor_url' });
      const wrong = await t.call('save_voip_settings', { ...settings(), mor_secret: 'not-the-secret', test: 1 });
      expect(wrong).toMatchObject({ ok: false, error: 'mor_auth_failed' });
      expect(await t.db('settings').where('key', 'like', 'voip.%')).toHaveLength(0);
      expect(mor.requests.at(-1)).toMatchObject({ endpoint: 'tariffs_get', method: 'POST' });
    });

    it('saves after a successful test; the secret is sealed and never returned', async () => {
      const body = await t.call('save_voip_settings', { ...settings(), test: 1 });
      expect(body).toMatchObject({ ok: true, data: { mor_url: mor.url, mor_user: 'admin', mor_secret_set: true, configured: true, test: { ok: true, tariffs: 2 }, hash_params: { payment_create: ['user_id'] } } });
      expect(JSON.stringify(body)).not.toContain(mor.secret);
      const stored = await t.db('settings').where({ key: 'voip.mor_secret' }).first();
      expect(stored.value).not.toContain(mor.secret);
      const read = await t.call('get_voip_settings', {}, { method: 'GET' });
      expect(read).toMatchObject({ ok: true, data: { mor_secret_set: true, timeout_ms: 1000, currency: 'EUR' } });
      expect(JSON.stringify(read)).not.toContain(mor.secret);
      expect(t.logs.join('\n')).not.toContain(mor.secret);
    });

    it('an unreachable MOR with test=1 is voip_unreachable', async () => {
      const body = await t.call('save_voip_settings', { mor_url: 'http://127.0.0.1:1/billing/api/', test: 1 });
      expect(body).toMatchObject({ ok: false, error: 'voip_unreachable' });
      expect((await t.call('get_voip_settings')).data.mor_url).toBe(mor.url);
    });
  });

  describe('linking and balance', () => {
    it('edit links a subscriber to a MOR user', async () => {
      const body = await t.call('edit', { username: 'alice', mor_user_id: '101', mor_username: 'alice' });
      expect(body).toMatchObject({ ok: true, data: { username: 'alice', mor_user_id: 101, mor_username: 'alice' } });
      expect(await t.db('customers').where({ username: 'alice' }).first('mor_user_id', 'mor_username')).toEqual({ mor_user_id: 101, mor_username: 'alice' });
      const bad = await t.call('edit', { username: 'alice', mor_user_id: 'abc' });
      expect(bad).toMatchObject({ ok: false, error: 'invalid_mor_user_id' });
      const taken = await t.call('edit', { username: 'bob', fullname: 'Bob Renamed', mor_user_id: 101 });
      expect(taken).toMatchObject({ ok: false, error: 'duplicate_mor_user_id' });
      expect(await t.db('customers').where({ username: 'bob' }).first('fullname', 'mor_user_id')).toEqual({ fullname: 'Bob Papadopoulou', mor_user_id: null });
    });

    it('mor_balance reads user_balance_get with a correct hash', async () => {
      const body = await t.call('mor_balance', { username: 'alice' }, { method: 'GET' });
      expect(body).toEqual({ ok: true, data: { username: 'alice', customer_id: expect.any(Number), mor_user_id: 101, mor_username: 'alice', balance: 5, currency: 'EUR' } });
      expect(mor.requests.at(-1)).toMatchObject({ endpoint: 'user_balance_get', params: { u: 'admin', username: 'alice', currency: 'EUR' } });
      expect((await t.call('mor_balance', { mor_user_id: 101 })).data.balance).toBe(5);
    });

    it('mor_balance errors: no subscriber named, not linked, unknown at MOR, feature off, wrong secret, a hang', async () => {
      expect(await t.call('mor_balance', {})).toMatchObject({ ok: false, error: 'missing_username' });
      expect(await t.call('mor_balance', { username: 'nobody' })).toMatchObject({ ok: false, error: 'customer_not_found' });
      expect(await t.call('mor_balance', { username: 'bob' })).toMatchObject({ ok: false, error: 'voip_not_linked' });
      expect(await t.call('mor_balance', { username: 'ghost' })).toMatchObject({ ok: false, error: 'mor_user_not_found' });
      mor.disable('balance');
      expect(await t.call('mor_balance', { username: 'alice' })).toMatchObject({ ok: false, error: 'mor_feature_disabled' });
      mor.enable('balance');
      await t.call('save_voip_settings', { mor_secret: 'wrong-secret' });
      expect(await t.call('mor_balance', { username: 'alice' })).toMatchObject({ ok: false, error: 'mor_auth_failed' });
      await t.call('save_voip_settings', { mor_secret: mor.secret });
      mor.hangNext('user_balance_get');
      const hung = await t.post('mor_balance', { username: 'alice' }, { headers: { 'X-Strict': '1' } });
      expect(hung.body).toMatchObject({ ok: false, error: 'voip_unreachable', message: expect.stringContaining('1000 ms') });
    });

    it('the hashed-parameter list follows the settings (MOR versions differ)', async () => {
      mor.hashParams.user_balance_get = ['username'];
      expect(await t.call('mor_balance', { username: 'alice' })).toMatchObject({ ok: false, error: 'mor_auth_failed' });
      expect(await t.call('save_voip_settings', { hash_params: { user_balance_get: 'username' } })).toMatchObject({ ok: true, data: { hash_params: { user_balance_get: ['username'] } } });
      expect(await t.call('mor_balance', { username: 'alice' })).toMatchObject({ ok: true, data: { balance: 5 } });
      mor.hashParams.user_balance_get = ['username', 'currency'];
      await t.call('save_voip_settings', { hash_params: { user_balance_get: 'username,currency' } });
      expect(await t.call('save_voip_settings', { hash_params: { user_balance_get: 'user name' } })).toMatchObject({ ok: false, error: 'invalid_hash_params' });
    });
  });

  describe('mor_cdr', () => {
    beforeAll(() => {
      // 2026-01-16 in Athens (UTC+2): 2026-01-15T22:00Z … 2026-01-16T21:59:59Z
      const call = (iso: string, dst: string, disposition: 'ANSWERED' | 'NO ANSWER' | 'BUSY', billsec: number, price: number) =>
        mor.calls.push({ user_id: 101, calldate: new Date(iso), src: '2101234567', dst, destination: dst.startsWith('30') ? 'Greece' : 'Lithuania', prefix: dst.slice(0, 4), disposition, billsec, price });
      call('2026-01-15T21:59:59Z', '302100000001', 'ANSWERED', 60, 0.02); // 23:59:59 on the 15th in Athens
      call('2026-01-15T22:00:00Z', '302100000002', 'ANSWERED', 125, 0.05);
      call('2026-01-16T10:00:00Z', '37060000001', 'ANSWERED', 16, 2);
      call('2026-01-16T12:00:00Z', '302100000003', 'NO ANSWER', 0, 0);
      call('2026-01-16T21:59:59Z', '302100000004', 'BUSY', 0, 0);
    });

    it('asks MOR for the local day in unix time and returns numbers, newest first, paginated', async () => {
      const r = await t.post('mor_cdr', { username: 'alice', from: '2026-01-16', to: '2026-01-16', per_page: 2 }, { method: 'GET' });
      expect(r.body).toMatchObject({ ok: true, meta: { current_page: 1, per_page: 2, total: 4, last_page: 2 } });
      expect(r.body.data).toHaveLength(2);
      expect(r.body.data[0]).toEqual({ started_at: '2026-01-16T21:59:59Z', src: '2101234567', dst: '302100000004', destination: 'Greece', prefix: '3021', disposition: 'busy', duration: 0, did: null, rate: 0, price: 0, currency: 'EUR' });
      const sent = mor.requests.at(-1)!.params;
      expect(sent).toMatchObject({ period_start: String(Date.UTC(2026, 0, 15, 22) / 1000), period_end: String(Date.UTC(2026, 0, 16, 22) / 1000 - 1), s_user: '101' });
      const page2 = await t.call('mor_cdr', { username: 'alice', from: '2026-01-16', per_page: 2, page: 2 });
      expect(page2.data.map((c: any) => c.dst)).toEqual(['302100000002'].length ? ['37060000001', '302100000002'] : []);
    });

    it('filters by call type, destination prefix, number and minimum duration, and exports CSV', async () => {
      const answered = await t.call('mor_cdr', { mor_user_id: 101, from: '2026-01-16', call_type: 'answered', min_duration: 20 });
      expect(answered.data).toEqual([expect.objectContaining({ dst: '302100000002', duration: 125, price: 0.05, disposition: 'answered' })]);
      expect(mor.requests.at(-1)!.params.s_call_type).toBe('answered');
      const noAnswer = await t.call('mor_cdr', { username: 'alice', from: '2026-01-16', call_type: 'no answer' });
      expect(noAnswer.data.map((c: any) => c.dst)).toEqual(['302100000003']);
      const lt = await t.call('mor_cdr', { username: 'alice', from: '2026-01-15', to: '2026-01-16', destination: '370' });
      expect(lt.data.map((c: any) => c.dst)).toEqual(['37060000001']);
      const byNumber = await t.call('mor_cdr', { username: 'alice', from: '2026-01-15', to: '2026-01-16', number: '0000001' });
      expect(byNumber.data.map((c: any) => c.dst).sort()).toEqual(['302100000001', '37060000001']);
      const csv = await t.call('mor_cdr', { username: 'alice', from: '2026-01-16', format: 'csv' });
      expect(csv.data).toMatchObject({ format: 'csv', content_type: 'text/csv; charset=utf-8', rows: 4 });
      const lines = csv.data.csv.trim().split('\r\n');
      expect(lines[0]).toBe('started_at,src,dst,destination,prefix,disposition,duration,did,rate,price,currency');
      expect(lines).toContain('2026-01-16T10:00:00Z,2101234567,37060000001,Lithuania,3706,answered,16,,0,2,EUR');
    });

    it('refuses a period that ends before it starts, an unknown call type, a non-numeric prefix', async () => {
      expect(await t.call('mor_cdr', { username: 'alice', from: '2026-01-16', to: '2026-01-15' })).toMatchObject({ ok: false, error: 'invalid_to' });
      expect(await t.call('mor_cdr', { username: 'alice', call_type: 'weird' })).toMatchObject({ ok: false, error: 'invalid_call_type' });
      expect(await t.call('mor_cdr', { username: 'alice', destination: '30;drop' })).toMatchObject({ ok: false, error: 'invalid_destination' });
      expect(await t.call('mor_cdr', { username: 'ghost', from: '2026-01-16' })).toMatchObject({ ok: false, error: 'mor_user_not_found' });
    });
  });

  describe('mor_tariffs', () => {
    it('lists tariffs with purpose and currency, filtered by purpose', async () => {
      const all = await t.call('mor_tariffs', {}, { method: 'GET' });
      expect(all).toEqual({ ok: true, data: [
        { id: 1, name: 'Wholesale A', purpose: 'provider', currency: 'EUR', last_update_date: null },
        { id: 4, name: 'Retail Home', purpose: 'user', currency: 'EUR', last_update_date: '2026-10-01 10:00:00 +0200' },
      ] });
      expect((await t.call('mor_tariffs', { purpose: 'user' })).data.map((x: any) => x.id)).toEqual([4]);
    });

    it('bad purpose, feature off', async () => {
      expect(await t.call('mor_tariffs', { purpose: 'everyone' })).toMatchObject({ ok: false, error: 'invalid_purpose' });
      mor.disable('tariffs');
      expect(await t.call('mor_tariffs')).toMatchObject({ ok: false, error: 'mor_feature_disabled' });
      mor.enable('tariffs');
    });
  });

  describe('mor_topup', () => {
    it('credits once per key and bills the top-up with VAT included', async () => {
      const before = mor.payments.length;
      const body = await t.call('mor_topup', { username: 'alice', amount: '10.00', invoice: 1 }, { headers: { 'Idempotency-Key': 'topup-alice-0001' } });
      expect(body).toMatchObject({ ok: true, data: { status: 'succeeded', mor_user_id: 101, amount: '10.00', amount_cents: 1000, currency: 'EUR', balance_before: 5, balance: 15, resolved_by: 'reply', mor_payment_id: expect.any(String), invoice: { total_cents: 1000, net_cents: 806, vat_cents: 194 } } });
      expect(mor.payments.length).toBe(before + 1);
      expect(mor.payments.at(-1)).toMatchObject({ user_id: 101, amount: 10, currency: 'EUR' });
      expect(alice.balance).toBe(15);
      const again = await t.call('mor_topup', { username: 'alice', amount: '10.00', invoice: 1 }, { headers: { 'Idempotency-Key': 'topup-alice-0001' } });
      expect(again).toMatchObject({ ok: true, data: { topup_id: body.data.topup_id, replayed: true } });
      expect(mor.payments.length).toBe(before + 1);
      const invoices = await t.db('invoices').where({ notes: `mor_topup:${body.data.topup_id}` });
      expect(invoices).toHaveLength(1);
      expect(await t.db('invoice_lines').where({ invoice_id: invoices[0].id }).first('description', 'vat_rate', 'total_cents')).toEqual({ description: 'VoIP credit top-up 10.00 EUR', vat_rate: 24, total_cents: 1000 });
      const reuse = await t.call('mor_topup', { username: 'alice', amount: '11.00' }, { headers: { 'Idempotency-Key': 'topup-alice-0001' } });
      expect(reuse).toMatchObject({ ok: false, error: 'idempotency_key_reused' });
    });

    it('a lost reply: the retry reads the balance back and credits exactly once', async () => {
      const before = mor.payments.length;
      const balance = alice.balance;
      mor.dropReplyNext('payment_create');
      const first = await t.call('mor_topup', { username: 'alice', amount: '20', idempotency_key: 'topup-alice-lost-1' });
      expect(first).toMatchObject({ ok: false, error: 'voip_unreachable', outcome: 'unknown', topup_id: expect.any(Number) });
      expect(await t.db('voip_topups').where({ id: first.topup_id }).first('status')).toEqual({ status: 'unknown' });
      expect(mor.payments.length).toBe(before + 1);
      // Another key for the same MOR user waits until this one's outcome is known.
      expect(await t.call('mor_topup', { username: 'alice', amount: '1', idempotency_key: 'topup-alice-other' })).toMatchObject({ ok: false, error: 'voip_topup_in_progress' });
      const retry = await t.call('mor_topup', { username: 'alice', amount: '20', idempotency_key: 'topup-alice-lost-1' });
      expect(retry).toMatchObject({ ok: true, data: { topup_id: first.topup_id, status: 'succeeded', resolved_by: 'balance', sends: 1 } });
      expect(mor.payments.length).toBe(before + 1);
      expect(alice.balance).toBe(balance + 20);
    });

    it('a timeout before MOR applied it: the retry finds no credit and sends once more', async () => {
      const before = mor.payments.length;
      const balance = alice.balance;
      mor.hangNext('payment_create');
      const first = await t.call('mor_topup', { username: 'alice', amount: '3.50', idempotency_key: 'topup-alice-hang-1' });
      expect(first).toMatchObject({ ok: false, error: 'voip_unreachable', outcome: 'unknown' });
      expect(mor.payments.length).toBe(before);
      const retry = await t.call('mor_topup', { username: 'alice', amount: '3.50', idempotency_key: 'topup-alice-hang-1' });
      expect(retry).toMatchObject({ ok: true, data: { status: 'succeeded', resolved_by: 'reply', sends: 2 } });
      expect(mor.payments.length).toBe(before + 1);
      expect(alice.balance).toBe(balance + 3.5);
    });

    it('bad input, unknown user, feature off, wrong secret', async () => {
      expect(await t.call('mor_topup', { username: 'alice', amount: '5' })).toMatchObject({ ok: false, error: 'missing_idempotency_key' });
      expect(await t.call('mor_topup', { username: 'alice', amount: '0', idempotency_key: 'topup-zero-0001' })).toMatchObject({ ok: false, error: 'invalid_amount' });
      expect(await t.call('mor_topup', { username: 'alice', amount: 'ten', idempotency_key: 'topup-ten-00001' })).toMatchObject({ ok: false, error: 'invalid_amount' });
      expect(await t.call('mor_topup', { username: 'alice', idempotency_key: 'topup-none-0001' })).toMatchObject({ ok: false, error: 'missing_amount' });
      expect(await t.call('mor_topup', { username: 'ghost', amount: '5', idempotency_key: 'topup-ghost-001' })).toMatchObject({ ok: false, error: 'mor_user_not_found' });
      expect(await t.call('mor_topup', { mor_user_id: 4242, amount: '5', idempotency_key: 'topup-4242-0001' })).toMatchObject({ ok: false, error: 'voip_not_linked' });
      const before = mor.payments.length;
      mor.disable('payments');
      const off = await t.call('mor_topup', { username: 'bruno', amount: '5', idempotency_key: 'topup-bruno-001' });
      expect(off).toMatchObject({ ok: false, error: 'mor_feature_disabled' });
      expect(await t.db('voip_topups').where({ topup_key: 'topup-bruno-001' }).first('status')).toEqual({ status: 'pending' });
      mor.enable('payments');
      await t.call('save_voip_settings', { mor_secret: 'wrong-secret' });
      expect(await t.call('mor_topup', { username: 'bruno', amount: '5', idempotency_key: 'topup-bruno-001' })).toMatchObject({ ok: false, error: 'mor_auth_failed' });
      await t.call('save_voip_settings', { mor_secret: mor.secret });
      expect(mor.payments.length).toBe(before);
      const ok = await t.call('mor_topup', { username: 'bruno', amount: '5', idempotency_key: 'topup-bruno-001' });
      expect(ok).toMatchObject({ ok: true, data: { status: 'succeeded', balance: 5 } });
      expect(mor.payments.length).toBe(before + 1);
    });

    it('user_balance_update where configured', async () => {
      await t.call('save_voip_settings', { topup_method: 'user_balance_update' });
      const body = await t.call('mor_topup', { username: 'bruno', amount: '2.25', idempotency_key: 'topup-bruno-upd1' });
      expect(body).toMatchObject({ ok: true, data: { method: 'user_balance_update', balance_before: 5, balance: 7.25 } });
      expect(mor.requests.filter((r) => r.endpoint === 'user_balance_update').at(-1)!.params).toMatchObject({ user_id: '102', balance: '7.2500' });
      await t.call('save_voip_settings', { topup_method: 'payment_create' });
    });
  });

  describe('every action against every MOR fault', () => {
    let n = 0;
    const key = () => `topup-fault-${String(++n).padStart(4, '0')}`;
    const actions: Array<[string, () => Record<string, unknown>, Parameters<FakeMorServer['hangNext']>[0]]> = [
      ['mor_balance', () => ({ username: 'bruno' }), 'user_balance_get'],
      ['mor_cdr', () => ({ username: 'bruno', from: '2026-01-16' }), 'user_calls_get'],
      ['mor_tariffs', () => ({}), 'tariffs_get'],
      ['mor_topup', () => ({ username: 'bruno', amount: '1', idempotency_key: key() }), 'payment_create'],
      ['mor_provisioning', () => ({ username: 'bruno' }), 'device_create'],
    ];

    it.each(actions)('%s: wrong secret is mor_auth_failed', async (action, input) => {
      const calls = mor.requests.length;
      await t.call('save_voip_settings', { mor_secret: 'wrong-secret' });
      try {
        expect(await t.call(action, input())).toMatchObject({ ok: false, error: 'mor_auth_failed' });
      } finally {
        await t.call('save_voip_settings', { mor_secret: mor.secret });
      }
      expect(mor.requests.length).toBeGreaterThan(calls);
    });

    it.each(actions)('%s: a hang is voip_unreachable after the timeout', async (action, input, endpoint) => {
      const sent = input();
      mor.hangNext(endpoint);
      expect(await t.call(action, sent)).toMatchObject({ ok: false, error: 'voip_unreachable' });
      expect(mor.requests.at(-1)!.endpoint).toBe(endpoint);
      if (action === 'mor_provisioning') {
        const row = await t.db('voip_devices').orderBy('id', 'desc').first('state', 'remains');
        expect(row.state).toBe('incomplete');
        expect(JSON.parse(row.remains)).toEqual([{ kind: 'device', id: null, note: expect.stringContaining('may have been created') }]);
      }
      if (action === 'mor_topup') {
        // MOR never applied it: the retry with the same key reads the balance, finds no credit and sends once more.
        expect(await t.db('voip_topups').where({ topup_key: sent.idempotency_key }).first('status')).toEqual({ status: 'unknown' });
        expect(await t.call('mor_topup', sent)).toMatchObject({ ok: true, data: { status: 'succeeded', sends: 2 } });
      }
    });

    it.each([
      ['mor_cdr', { username: 'ghost', from: '2026-01-16' }],
      ['mor_topup', { username: 'ghost', amount: '1', idempotency_key: 'topup-ghost-fault-1' }],
      ['mor_provisioning', { username: 'ghost' }],
      ['mor_balance', { username: 'ghost' }],
    ])('%s: a user MOR does not know is mor_user_not_found', async (action, input) => {
      expect(await t.call(action, input)).toMatchObject({ ok: false, error: 'mor_user_not_found' });
    });

    it.each([
      ['mor_cdr', 'calls'],
      ['mor_provisioning', 'devices'],
      ['mor_tariffs', 'tariffs'],
      ['mor_topup', 'payments'],
      ['mor_balance', 'balance'],
    ] as const)('%s: MOR with the function off is mor_feature_disabled', async (action, feature) => {
      const input = actions.find((a) => a[0] === action)![1]();
      mor.disable(feature);
      try {
        expect(await t.call(action, input)).toMatchObject({ ok: false, error: 'mor_feature_disabled' });
      } finally {
        mor.enable(feature);
      }
    });
  });

  describe('mor_provisioning', () => {
    it('creates the MOR user, a SIP device and a DID; credentials shown once and stored sealed', async () => {
      await customer('carol');
      const body = await t.call('mor_provisioning', { username: 'carol', mor_password: 'carol-pass-123', did: '302111234567' });
      expect(body).toMatchObject({ ok: true, data: { username: 'carol', user_created: true, mor_username: 'carol', device: { type: 'SIP' }, did: { did: '302111234567', mor_did_id: expect.any(String) }, state: 'active' } });
      const user = mor.users.find((u) => u.username === 'carol')!;
      expect(user).toMatchObject({ email: 'carol@example.org', first_name: 'Carol', last_name: 'Papadopoulou' });
      const device = mor.devices.at(-1)!;
      expect(body.data.sip_credentials).toEqual({ username: device.username, password: device.password });
      expect(await t.db('customers').where({ username: 'carol' }).first('mor_user_id', 'mor_username')).toEqual({ mor_user_id: user.id, mor_username: 'carol' });
      const row = await t.db('voip_devices').where({ id: body.data.provisioning_id }).first();
      expect(row).toMatchObject({ state: 'active', mor_device_id: String(device.id), sip_username: device.username, did: '302111234567' });
      expect(row.sip_password_sealed).not.toContain(device.password);
      expect(t.ctx().secrets.decrypt(row.sip_password_sealed)).toBe(device.password);
      expect(t.logs.join('\n')).not.toContain(device.password);
      expect((await t.call('mor_balance', { username: 'carol' })).data.balance).toBe(0);
    });

    it('bad input: no username, bad DID, short password', async () => {
      expect(await t.call('mor_provisioning', {})).toMatchObject({ ok: false, error: 'missing_username' });
      expect(await t.call('mor_provisioning', { username: 'bob', did: '12ab' })).toMatchObject({ ok: false, error: 'invalid_did' });
      expect(await t.call('mor_provisioning', { username: 'bob', mor_password: 'short' })).toMatchObject({ ok: false, error: 'invalid_mor_password' });
    });

    it('registration disabled fails with nothing created', async () => {
      await customer('dora');
      mor.disable('registration');
      const users = mor.users.length;
      expect(await t.call('mor_provisioning', { username: 'dora' })).toMatchObject({ ok: false, error: 'mor_feature_disabled' });
      mor.enable('registration');
      expect(mor.users.length).toBe(users);
      expect(await t.db('voip_devices').where({ customer_id: (await t.db('customers').where({ username: 'dora' }).first('id')).id }).first('state')).toEqual({ state: 'failed' });
    });

    it('a failure half-way reports what remains on MOR and a rerun continues from there', async () => {
      await customer('eve');
      mor.disable('dids');
      const users = mor.users.length;
      const devices = mor.devices.length;
      const failed = await t.call('mor_provisioning', { username: 'eve', did: '302119999999' });
      expect(failed).toMatchObject({ ok: false, error: 'mor_feature_disabled', remains: [{ kind: 'user' }, { kind: 'device' }], provisioning_id: expect.any(Number) });
      expect(failed.message).toContain('MOR has no API call to remove');
      expect(mor.users.length).toBe(users + 1);
      expect(await t.db('customers').where({ username: 'eve' }).first('mor_user_id')).toEqual({ mor_user_id: mor.users.at(-1)!.id });
      mor.enable('dids');
      const rerun = await t.call('mor_provisioning', { username: 'eve', did: '302119999999' });
      expect(rerun).toMatchObject({ ok: true, data: { provisioning_id: failed.provisioning_id, user_created: false, did: { did: '302119999999' }, state: 'active' } });
      expect(mor.users.length).toBe(users + 1);
      expect(mor.devices.length).toBe(devices + 1);
      expect(mor.dids.filter((d) => d.did === '302119999999')).toHaveLength(1);
    });

    it('links an existing MOR user named by mor_user_id; one provisioning per subscriber at a time', async () => {
      mor.addUser({ id: 150, username: 'frank-voip' });
      const frankId = await customer('frank');
      expect(await t.call('mor_provisioning', { username: 'frank', mor_user_id: 101 })).toMatchObject({ ok: false, error: 'duplicate_mor_user_id' });
      const users = mor.users.length;
      const body = await t.call('mor_provisioning', { username: 'frank', mor_user_id: 150, mor_username: 'frank-voip' });
      expect(body).toMatchObject({ ok: true, data: { user_created: false, mor_user_id: 150, mor_username: 'frank-voip' } });
      expect(mor.users.length).toBe(users);
      expect(mor.devices.at(-1)).toMatchObject({ user_id: 150, type: 'SIP' });
      expect(await t.db('customers').where({ id: frankId }).first('mor_user_id', 'mor_username')).toEqual({ mor_user_id: 150, mor_username: 'frank-voip' });
      const now = nowUtc();
      await t.db('voip_devices').insert({ customer_id: frankId, mor_user_id: 150, state: 'provisioning', created_at: now, updated_at: now });
      const devices = mor.devices.length;
      expect(await t.call('mor_provisioning', { username: 'frank' })).toMatchObject({ ok: false, error: 'voip_provisioning_in_progress' });
      expect(mor.devices.length).toBe(devices);
    });

    it('an existing DID is MOR\'s own error', async () => {
      const body = await t.call('mor_provisioning', { username: 'bruno', did: '302111234567' });
      expect(body).toMatchObject({ ok: false, error: 'mor_error', message: expect.stringContaining('DID already exists') });
    });
  });
});
