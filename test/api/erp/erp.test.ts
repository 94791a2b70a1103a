import { makeTestApp, type TestApp } from '../../helpers/app';
import { FakeElorusServer } from '../../fakes/elorus-server';
import { seedInvoice } from '../einvoice/seed';
import { runErpSync } from '../../../src/services/erp/sync';
import { erpSyncJob } from '../../../src/services/erp/jobs';
import { nowUtc } from '../../../src/db/knex';
import { ElorusClient } from '../../../src/adapters/elorus/elorus-client';

const ISSUER = '094014201';
const BUSINESS = '090165560';
const noProgress = async () => {};

describe('ERP sync through Elorus', () => {
  let t: TestApp;
  let elorus: FakeElorusServer;
  let planId: number;

  beforeAll(async () => {
    elorus = await new FakeElorusServer().start();
    t = await makeTestApp({ env: { ELORUS_BASE_URL: elorus.baseUrl } });
    const saved = await t.call('save_einvoice_settings', {
      issuer_afm: ISSUER, elorus_api_key: elorus.apiKey, elorus_organization_id: elorus.organizationId,
      elorus_tax_ids: '24=101,13=102', elorus_document_types: JSON.stringify({ '2.1': '9001', '11.2': '9002' }),
    });
    expect(saved.ok).toBe(true);
    const plan = await t.call('add_plan', { name: 'FTTH 100', download: '100M', upload: '10M', price: '24.80' });
    planId = plan.data.id;
  });
  afterAll(async () => {
    await t.close();
    await elorus.stop();
  });

  it('the ERP actions need the billing permission', async () => {
    expect((await t.call('add_web_admin', { username: 'helpdesk', password: 'helpdesk-pass-1', role: 'support' })).ok).toBe(true);
    const key = (await t.call('api_key_create', { name: 'helpdesk', admin: 'helpdesk' })).data.key as string;
    for (const action of ['save_erp_settings', 'get_erp_settings', 'erp_sync', 'erp_status']) {
      expect(await t.call(action, {}, { key })).toMatchObject({ ok: false, error: 'forbidden' });
    }
  });

  describe('settings', () => {
    it('refuses an unknown provider', async () => {
      expect(await t.call('save_erp_settings', { provider: 'sap' })).toMatchObject({ ok: false, error: 'invalid_provider' });
    });

    it('accepts the coming-soon ERPs by name, and every sync names them as not available', async () => {
      for (const [provider, name] of [['softone', 'SoftOne'], ['epsilon', 'Epsilon Net'], ['entersoft', 'Entersoft'], ['galaxy', 'Galaxy / Real']]) {
        expect(await t.call('save_erp_settings', { provider })).toMatchObject({ ok: true, data: { provider, provider_name: name, available: false } });
        const sync = await t.call('erp_sync', { scope: 'all' });
        expect(sync).toMatchObject({ ok: false, error: 'erp_not_available', provider });
        expect(sync.message).toContain(name);
      }
      expect(await t.db('jobs').where({ task: 'erp.sync' })).toHaveLength(0);
    });

    it('saves Elorus and reads it back', async () => {
      expect(await t.call('save_erp_settings', { provider: 'elorus', auto_sync: 1 })).toMatchObject({ ok: true, data: { provider: 'elorus', available: true, auto_sync: true, elorus_credentials_set: true } });
      expect(await t.call('get_erp_settings', {}, { method: 'GET' })).toMatchObject({ ok: true, data: { provider: 'elorus', sync_payments: true } });
    });
  });

  describe('customers', () => {
    it('creates contacts for added subscribers, matched by AFM or our id, never twice', async () => {
      // A contact the accountant already keeps for this AFM.
      elorus.contacts.push({ id: '42', custom_id: 'ACC-7', company: 'ACME AE (accounting)', vat_number: BUSINESS, client_type: 1 });
      expect((await t.call('add', { username: 'acme', password: 'pw-secret-1', fullname: 'ACME AE', afm: BUSINESS, email: 'info@acme.example', plan_id: planId })).ok).toBe(true);
      expect((await t.call('add', { username: 'maria', password: 'pw-secret-2', fullname: 'Maria Papadopoulou', email: 'maria@example.org', phone: '6900000001', plan_id: planId })).ok).toBe(true);
      const sync = await t.call('erp_sync', { scope: 'customers', wait: 1 });
      expect(sync).toMatchObject({ ok: true, data: { state: 'completed', customers: { synced: 2, refused: 0 } } });
      expect(elorus.contacts).toHaveLength(2);
      const acme = elorus.contacts.find((c) => c.vat_number === BUSINESS)!;
      expect(acme).toMatchObject({ id: '42', custom_id: 'ACC-7', company: 'ACME AE', client_type: 1 });
      const maria = elorus.contacts.find((c) => c.company === 'Maria Papadopoulou')!;
      const mariaId = (await t.db('customers').where({ username: 'maria' }).first('id')).id;
      expect(maria).toMatchObject({ custom_id: `ispgate:default:customer:${mariaId}`, client_type: 4, email: [{ email: 'maria@example.org', primary: true }], phones: [{ number: '6900000001', primary: true }] });
      expect(await t.db('erp_links').where({ kind: 'customer', local_id: mariaId }).first('state', 'remote_id')).toEqual({ state: 'synced', remote_id: maria.id });

      const again = await t.call('erp_sync', { scope: 'customers', wait: 1 });
      expect(again.data.customers).toMatchObject({ synced: 0 });
      expect(elorus.contacts).toHaveLength(2);
      expect(elorus.requests.filter((r) => r.method === 'POST' && r.path === '/v1.2/contacts/')).toHaveLength(1);
    });

    it('an edit reaches Elorus through the periodic job, with no Elorus call in the request', async () => {
      const posts = elorus.requests.length;
      expect((await t.call('edit', { username: 'maria', fullname: 'Maria Papadopoulou-Georgiou' })).ok).toBe(true);
      expect(elorus.requests.length).toBe(posts);
      const tick = await erpSyncJob.run(t.ctx()) as { job_id: string };
      const done = await t.ctx().jobs.wait(tick.job_id, 20_000);
      expect(done).toMatchObject({ state: 'completed', result: { customers: { synced: 1 } } });
      const mariaId = (await t.db('customers').where({ username: 'maria' }).first('id')).id;
      expect(elorus.contacts.find((c) => c.custom_id === `ispgate:default:customer:${mariaId}`)).toMatchObject({ company: 'Maria Papadopoulou-Georgiou' });
      expect(elorus.contacts).toHaveLength(2);
    });

    it('a contact Elorus refuses is reported with Elorus\'s message; the others go on', async () => {
      expect((await t.call('add', { username: 'typo', password: 'pw-secret-3', fullname: 'Typo Person', email: 'typo@example.org', plan_id: planId })).ok).toBe(true);
      // As a subscriber imported from the old system may carry it: add itself validates e-mail addresses.
      await t.db('customers').where({ username: 'typo' }).update({ email: 'typo@@example', updated_at: nowUtc() });
      expect((await t.call('add', { username: 'nikos', password: 'pw-secret-4', fullname: 'Nikos K', plan_id: planId })).ok).toBe(true);
      const sync = await t.call('erp_sync', { scope: 'customers', wait: 1 });
      expect(sync.data.customers).toMatchObject({ synced: 1, refused: 1 });
      const status = await t.call('erp_status', {}, { method: 'GET' });
      const typoId = (await t.db('customers').where({ username: 'typo' }).first('id')).id;
      expect(status).toMatchObject({ ok: true, data: { provider: 'elorus', last_sync: { scope: 'customers', customers: { refused: 1 } }, links: { customer: { synced: 3, refused: 1 } } } });
      expect(status.data.problems).toContainEqual(expect.objectContaining({ kind: 'customer', local_id: typoId, state: 'refused', message: expect.stringContaining('Enter a valid email address.') }));
    });
  });

  describe('payments', () => {
    async function elorusInvoice(o: Parameters<typeof seedInvoice>[1] = {}) {
      const id = await seedInvoice(t.db, o);
      const sub = await t.call('einvoice_submit', { invoice_id: id, provider: 'elorus' });
      expect(sub).toMatchObject({ ok: true, data: { submission: { provider: 'elorus' } } });
      return id;
    }

    it('paying an invoice twice with the same key gives Elorus one cash receipt', async () => {
      const id = await elorusInvoice();
      const pay = () => t.call('pay_invoice', { invoice_id: id, method: 'cash', amount: '10.00' }, { headers: { 'Idempotency-Key': 'erp-pay-key-0001' } });
      const first = await pay();
      expect(first.ok).toBe(true);
      expect((await pay()).data.replayed).toBe(true);
      const payments = await t.db('payments').where({ invoice_id: id });
      expect(payments).toHaveLength(1);
      const sync = await t.call('erp_sync', { scope: 'payments', wait: 1 });
      expect(sync).toMatchObject({ ok: true, data: { payments: { synced: 1 } } });
      const all = await t.call('erp_sync', { scope: 'all', wait: 1 });
      expect(all.data.customers.synced).toBeGreaterThanOrEqual(1);
      // The e-invoice submit made this subscriber's contact already; the sync found it instead of making another.
      const customIds = elorus.contacts.map((c) => c.custom_id).filter(Boolean);
      expect(new Set(customIds).size).toBe(customIds.length);
      const customerId = (await t.db('invoices').where({ id }).first('customer_id')).customer_id;
      expect(elorus.contacts.filter((c) => c.custom_id === `ispgate:default:customer:${customerId}`)).toHaveLength(1);
      const remote = (await t.db('einvoice_submissions').where({ invoice_id: id }).first('provider_ref')).provider_ref;
      const receipts = elorus.cashReceipts.filter((r) => r.invoice_payments.some((ip: any) => ip.invoice === remote));
      expect(receipts).toHaveLength(1);
      const inv = elorus.invoices.find((i) => i.id === remote)!;
      expect(receipts[0]).toMatchObject({ custom_id: `ispgate:default:payment:${payments[0].id}`, contact: inv.client, amount: '10.00', payment_method: '3', invoice_payments: [{ invoice: remote, amount: '10.00' }] });
      expect(await t.db('erp_links').where({ kind: 'payment', local_id: payments[0].id }).first('state', 'remote_id')).toEqual({ state: 'synced', remote_id: receipts[0].id });
      expect(await t.db('erp_links').where({ kind: 'invoice', local_id: id }).first('state', 'remote_id')).toEqual({ state: 'synced', remote_id: remote });
    });

    it('a lost reply from Elorus: the next run finds the receipt instead of sending it again', async () => {
      const id = await elorusInvoice();
      expect((await t.call('pay_invoice', { invoice_id: id, method: 'bank_transfer', reference: 'BANK-778899' })).ok).toBe(true);
      const payment = await t.db('payments').where({ invoice_id: id }).first();
      elorus.dropNextCashReceiptReply();
      await expect(runErpSync(t.ctx(), { scope: 'payments' }, noProgress)).rejects.toMatchObject({ code: 'elorus_unreachable' });
      expect(await t.db('erp_links').where({ kind: 'payment', local_id: payment.id }).first('state')).toEqual({ state: 'sending' });
      const before = elorus.cashReceipts.length;
      const r = await runErpSync(t.ctx(), { scope: 'payments' }, noProgress) as any;
      expect(r.payments).toMatchObject({ synced: 1 });
      expect(elorus.cashReceipts.length).toBe(before);
      expect(elorus.cashReceipts.filter((x) => x.custom_id === `ispgate:default:payment:${payment.id}`)).toHaveLength(1);
      expect(elorus.cashReceipts.at(-1)).toMatchObject({ payment_method: '1', amount: '24.80' });
    });

    it('waits for an invoice Elorus does not have, and reports what Elorus refuses', async () => {
      const local = await seedInvoice(t.db);
      expect((await t.call('pay_invoice', { invoice_id: local, method: 'cash', amount: '5' })).ok).toBe(true);
      const refusedInv = await elorusInvoice();
      const remote = (await t.db('einvoice_submissions').where({ invoice_id: refusedInv }).first('provider_ref')).provider_ref;
      elorus.invoices.find((i) => i.id === remote)!.total = '1.00';
      expect((await t.call('pay_invoice', { invoice_id: refusedInv, method: 'cash', amount: '5' })).ok).toBe(true);
      const sync = await t.call('erp_sync', { scope: 'payments', wait: 1 });
      expect(sync.data.payments).toMatchObject({ synced: 0, waiting: 1, refused: 1 });
      const status = await t.call('erp_status');
      const p1 = (await t.db('payments').where({ invoice_id: local }).first('id')).id;
      const p2 = (await t.db('payments').where({ invoice_id: refusedInv }).first('id')).id;
      expect(status.data.problems).toContainEqual(expect.objectContaining({ kind: 'payment', local_id: p1, state: 'pending', message: expect.stringContaining('is not in Elorus yet') }));
      expect(status.data.problems).toContainEqual(expect.objectContaining({ kind: 'payment', local_id: p2, state: 'refused', message: expect.stringContaining('outstanding balance') }));
    });

    it('an invoice issued as paid at Elorus gets no second receipt', async () => {
      const id = await seedInvoice(t.db, { afm: BUSINESS, status: 'paid' });
      await t.db('payments').insert({ invoice_id: id, customer_id: (await t.db('invoices').where({ id }).first('customer_id')).customer_id, amount_cents: 2480, method: 'cash', reference: `seed-${id}`, paid_on: '2026-01-15', created_at: '2026-01-15 10:00:00' });
      const sub = await t.call('einvoice_submit', { invoice_id: id, provider: 'elorus' });
      expect(sub.ok).toBe(true);
      const before = elorus.cashReceipts.length;
      const sync = await t.call('erp_sync', { scope: 'payments', wait: 1 });
      expect(sync.data.payments).toMatchObject({ already_paid: 1 });
      expect(elorus.cashReceipts.length).toBe(before);
    });

    it('a link lost on our side is found again through Elorus refusing the duplicate custom_id', async () => {
      const synced = await t.db('erp_links').where({ kind: 'payment', state: 'synced' }).whereNotNull('remote_id').orderBy('id').first();
      await t.db('erp_links').where({ id: synced.id }).del();
      const before = elorus.cashReceipts.length;
      const r = await runErpSync(t.ctx(), { scope: 'payments' }, noProgress) as any;
      expect(r.payments).toMatchObject({ synced: 1 });
      expect(elorus.cashReceipts.length).toBe(before);
      expect(await t.db('erp_links').where({ kind: 'payment', local_id: synced.local_id }).first('state', 'remote_id')).toEqual({ state: 'synced', remote_id: synced.remote_id });
      const dup = new ElorusClient({ baseUrl: elorus.baseUrl, apiKey: elorus.apiKey, organizationId: elorus.organizationId });
      await expect(dup.createContact({ custom_id: elorus.contacts[1].custom_id, company: 'Twice' })).rejects.toMatchObject({ code: 'elorus_rejected', message: expect.stringContaining('custom id already exists') });
    });

    it('bad input: unknown scope, unreadable since', async () => {
      expect(await t.call('erp_sync', { scope: 'everything' })).toMatchObject({ ok: false, error: 'invalid_scope' });
      expect(await t.call('erp_sync', { since: 'yesterday' })).toMatchObject({ ok: false, error: 'invalid_since' });
      const since = await t.call('erp_sync', { scope: 'payments', since: '2026-01-01', wait: 1 });
      expect(since).toMatchObject({ ok: true, data: { since: '2026-01-01 00:00:00', state: 'completed' } });
    });
  });
});
