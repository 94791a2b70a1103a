import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import { ElorusClient } from '../../adapters/elorus/elorus-client';
import { elorusContactPayload } from '../../adapters/elorus/elorus-invoice';
import { isValidAfm, normalizeAfm } from '../../domain/afm';
import { AppError, isAppError } from '../../errors';
import { nowUtc } from '../../db/knex';
import type { ServiceContext } from '../context';
import type { JobProgress } from '../../jobs/queue';
import { invoiceRef } from '../billing/invoices';
import { loadEinvoiceSettings } from '../einvoice/settings';
import { getSyncState, loadErpSettings, putSyncState, requireActiveErp } from './settings';

export const SYNC_SCOPES = ['customers', 'invoices', 'payments', 'all'] as const;
export type SyncScope = (typeof SYNC_SCOPES)[number];
export type LinkKind = 'customer' | 'invoice' | 'payment';

export interface SyncData {
  scope: SyncScope;
  /** UTC 'YYYY-MM-DD HH:MM:SS': take records changed since then instead of since the last sync. */
  since?: string | null;
  retry_refused?: boolean;
}

interface Counts { synced: number; unchanged: number; refused: number; waiting: number }
const zero = (): Counts => ({ synced: 0, unchanged: 0, refused: 0, waiting: 0 });

/** Elorus's payment methods are AADE's codes: 1 bank account, 3 cash, 7 POS / e-POS (cards). */
const PAYMENT_METHOD: Record<string, string> = { cash: '3', manual: '3', bank_transfer: '1', dias: '1', stripe: '7', viva: '7', revolut: '7', paypal: '7' };

const CHUNK = 200;

async function elorusClient(ctx: ServiceContext): Promise<ElorusClient> {
  const s = await loadEinvoiceSettings(ctx.db, ctx.secrets);
  return new ElorusClient({ baseUrl: ctx.config.ELORUS_BASE_URL, apiKey: s.elorus_api_key ?? '', organizationId: s.elorus_organization_id ?? '', demo: s.elorus_demo });
}

async function getLink(db: Knex, kind: LinkKind, localId: number) {
  return db('erp_links').where({ provider: 'elorus', kind, local_id: localId }).first();
}

async function setLink(db: Knex, kind: LinkKind, localId: number, patch: Record<string, unknown>) {
  const now = nowUtc();
  await db('erp_links')
    .insert({ provider: 'elorus', kind, local_id: localId, state: 'pending', attempts: 0, created_at: now, updated_at: now, ...patch })
    .onConflict(['provider', 'kind', 'local_id'])
    .merge({ ...patch, updated_at: now });
}

/** Elorus's own words for a refusal: the field errors of its 400. */
function elorusMessage(e: unknown): string {
  return String((e as Error)?.message ?? e).replace(/^Elorus rejected [A-Z]+ [^:]+: /, '').slice(0, 2000);
}

/** A failure that is not Elorus refusing the record: the run stops and the job retries it later. */
function transient(e: unknown): boolean {
  return !(isAppError(e) && e.code === 'elorus_rejected');
}

/**
 * One sync run, as the `erp.sync` job: customers changed since the last run become Elorus contacts (matched by AFM
 * or our id, never created twice), invoices Elorus already has are linked, and every payment Elorus has not
 * acknowledged becomes a cash receipt against its invoice. Elorus refusing a record marks it refused with Elorus's
 * message and the run goes on; Elorus unreachable stops the run with the record pending, and the job retries.
 */
export async function runErpSync(ctx: ServiceContext, data: SyncData, progress: JobProgress) {
  const settings = await loadErpSettings(ctx.db);
  requireActiveErp(settings, 409);
  const client = await elorusClient(ctx);
  const startedAt = nowUtc();
  const state = await getSyncState(ctx.db);
  const since = data.since ?? null;
  const doCustomers = (data.scope === 'customers' || data.scope === 'all') && (data.scope === 'customers' || settings.sync_customers);
  const doInvoices = data.scope === 'invoices' || data.scope === 'all';
  const doPayments = (data.scope === 'payments' || data.scope === 'all') && (data.scope === 'payments' || settings.sync_payments);

  const customerIds = doCustomers ? await customerCandidates(ctx.db, since ?? (state.customers_cursor as string | undefined) ?? null, !!data.retry_refused) : [];
  const paymentIds = doPayments ? await paymentCandidates(ctx.db, since, !!data.retry_refused) : [];
  const total = customerIds.length + paymentIds.length + (doInvoices ? 1 : 0);
  let done = 0;
  await progress(0, total);
  const result: Record<string, unknown> = { provider: 'elorus', scope: data.scope, since };

  if (doCustomers) {
    const counts = zero();
    let cursor: string | null = null;
    for (const id of customerIds) {
      const c = await ctx.db('customers').where({ id }).first();
      if (c) {
        await syncCustomer(ctx, client, c, counts);
        if (!cursor || String(c.updated_at) > cursor) cursor = String(c.updated_at);
      }
      await progress(++done, total);
    }
    if (cursor && !since) await putSyncState(ctx.db, { customers_cursor: cursor });
    result.customers = counts;
  }
  if (doInvoices) {
    result.invoices = await linkInvoices(ctx.db, since);
    await progress(++done, total);
  }
  if (doPayments) {
    const counts = { ...zero(), already_paid: 0 };
    for (const id of paymentIds) {
      await syncPayment(ctx, client, id, counts);
      await progress(++done, total);
    }
    result.payments = counts;
  }
  const summary = { ...result, started_at: startedAt, finished_at: nowUtc() };
  await putSyncState(ctx.db, { last_sync: summary });
  return summary;
}

async function customerCandidates(db: Knex, since: string | null, retryRefused: boolean): Promise<number[]> {
  const changed = db('customers').select('id');
  if (since) changed.where('updated_at', '>=', since);
  const ids = new Set<number>((await changed).map((r: { id: number }) => Number(r.id)));
  const states = retryRefused ? ['pending', 'sending', 'refused'] : ['pending', 'sending'];
  for (const r of await db('erp_links').where({ provider: 'elorus', kind: 'customer' }).whereIn('state', states).select('local_id')) ids.add(Number(r.local_id));
  return [...ids].sort((a, b) => a - b);
}

async function syncCustomer(ctx: ServiceContext, client: ElorusClient, c: any, counts: Counts) {
  const link = await getLink(ctx.db, 'customer', Number(c.id));
  const afm = c.afm && isValidAfm(normalizeAfm(c.afm)) ? normalizeAfm(c.afm) : null;
  const customId = `ispgate:${ctx.tenant.slug}:customer:${c.id}`;
  const payload = elorusContactPayload({ customId, name: c.fullname || c.username, vatNumber: afm, email: c.email });
  if (c.phone) payload.phones = [{ number: String(c.phone), primary: true }];
  // What was sent, not when: two edits within one second (updated_at's precision) still differ here.
  const version = createHash('sha256').update(JSON.stringify(payload)).digest('hex').slice(0, 32);
  if (link?.state === 'synced' && link.synced_version === version) { counts.unchanged++; return; }
  if (link?.state === 'refused' && link.synced_version === version) { counts.refused++; return; }
  try {
    let remote: string | null = link?.remote_id ?? null;
    if (!remote) {
      const found = await client.findContact({ vatNumber: afm ?? undefined, customId });
      if (found) {
        remote = String(found.id);
        // A contact the accountant made for this AFM keeps its own id; ours goes only where there is none.
        if (found.custom_id && found.custom_id !== customId) delete payload.custom_id;
      }
    }
    const saved = remote ? await client.updateContact(remote, payload) : await client.createContact(payload);
    await setLink(ctx.db, 'customer', Number(c.id), { state: 'synced', remote_id: String(saved.id), synced_version: version, last_error: null, synced_at: nowUtc(), attempts: Number(link?.attempts ?? 0) + 1 });
    counts.synced++;
  } catch (e) {
    if (transient(e)) {
      await setLink(ctx.db, 'customer', Number(c.id), { state: 'pending', last_error: elorusMessage(e), attempts: Number(link?.attempts ?? 0) + 1 });
      throw e;
    }
    // Someone else (an e-invoice submit) created the contact with our custom_id meanwhile: update that one.
    if (/custom_id/.test(elorusMessage(e))) {
      const found = await client.findContact({ customId }).catch(() => null);
      if (found) {
        try {
          await client.updateContact(String(found.id), payload);
          await setLink(ctx.db, 'customer', Number(c.id), { state: 'synced', remote_id: String(found.id), synced_version: version, last_error: null, synced_at: nowUtc(), attempts: Number(link?.attempts ?? 0) + 1 });
          counts.synced++;
          return;
        } catch (again) {
          if (transient(again)) throw again;
          e = again;
        }
      }
    }
    await setLink(ctx.db, 'customer', Number(c.id), { state: 'refused', synced_version: version, last_error: elorusMessage(e), attempts: Number(link?.attempts ?? 0) + 1 });
    counts.refused++;
  }
}

/** Invoices reach Elorus through e-invoicing (einvoice_submit with provider elorus); here they are only linked. */
async function linkInvoices(db: Knex, since: string | null) {
  const q = db('einvoice_submissions').where({ provider: 'elorus', kind: 'invoice' }).whereNotNull('provider_ref').select('invoice_id', 'provider_ref');
  if (since) q.where('updated_at', '>=', since);
  let synced = 0;
  let unchanged = 0;
  for (const s of await q) {
    const link = await getLink(db, 'invoice', Number(s.invoice_id));
    if (link?.state === 'synced' && link.remote_id === String(s.provider_ref)) { unchanged++; continue; }
    await setLink(db, 'invoice', Number(s.invoice_id), { state: 'synced', remote_id: String(s.provider_ref), last_error: null, synced_at: nowUtc() });
    synced++;
  }
  const notSent = await db('invoices').whereNot('status', 'cancelled')
    .whereNotExists(db('einvoice_submissions').whereRaw('einvoice_submissions.invoice_id = invoices.id').where({ provider: 'elorus', kind: 'invoice' }).whereNotNull('provider_ref').select(db.raw('1')))
    .count({ n: '*' });
  return { synced, unchanged, refused: 0, waiting: Number(notSent[0].n), note: 'Invoices are sent to Elorus by einvoice_submit (provider elorus); waiting counts the ones Elorus does not have yet.' };
}

async function paymentCandidates(db: Knex, since: string | null, retryRefused: boolean): Promise<number[]> {
  const done = retryRefused ? ['synced'] : ['synced', 'refused'];
  const q = db('payments').select('id').whereNotExists(
    db('erp_links').whereRaw('erp_links.local_id = payments.id').where({ provider: 'elorus', kind: 'payment' }).whereIn('state', done).select(db.raw('1')),
  );
  if (since) q.where('created_at', '>=', since);
  return (await q.orderBy('id').limit(10_000)).map((r: { id: number }) => Number(r.id));
}

async function elorusInvoiceId(ctx: ServiceContext, client: ElorusClient, invoiceId: number): Promise<string | null> {
  const sub = await ctx.db('einvoice_submissions').where({ invoice_id: invoiceId, kind: 'invoice', provider: 'elorus' }).whereNotNull('provider_ref').first('provider_ref');
  if (sub) return String(sub.provider_ref);
  const found = await client.findInvoiceByCustomId(`ispgate:${ctx.tenant.slug}:invoice:${invoiceId}`);
  return found ? String(found.id) : null;
}

const cents = (v: unknown) => {
  const m = /^(\d+)(?:\.(\d{1,2}))?/.exec(String(v ?? '0'));
  return m ? Number(m[1]) * 100 + Number((m[2] ?? '0').padEnd(2, '0')) : 0;
};

/**
 * One payment → one Elorus cash receipt, exactly once. Its custom_id is ours; the link turns `sending` before the
 * POST, so after a lost reply the next run looks for the receipt on the invoice before it sends anything again.
 */
async function syncPayment(ctx: ServiceContext, client: ElorusClient, paymentId: number, counts: Counts & { already_paid: number }) {
  const p = await ctx.db('payments').where({ id: paymentId }).first();
  if (!p) return;
  const link = await getLink(ctx.db, 'payment', paymentId);
  const attempts = Number(link?.attempts ?? 0);
  const inv = await ctx.db('invoices').where({ id: p.invoice_id }).first('id', 'series', 'number');
  const customId = `ispgate:${ctx.tenant.slug}:payment:${paymentId}`;
  let remoteInvoice: string | null = null;
  try {
    if (Number(p.amount_cents) <= 0) {
      await setLink(ctx.db, 'payment', paymentId, { state: 'refused', last_error: 'Only money received is sent to Elorus; a refund is recorded there by hand.' });
      counts.refused++;
      return;
    }
    remoteInvoice = await elorusInvoiceId(ctx, client, Number(p.invoice_id));
    if (!remoteInvoice) {
      await setLink(ctx.db, 'payment', paymentId, { state: 'pending', last_error: `Invoice ${inv ? invoiceRef(inv.series, Number(inv.number)) : p.invoice_id} is not in Elorus yet; send it with einvoice_submit (provider elorus).` });
      counts.waiting++;
      return;
    }
    if (link?.state === 'sending') {
      const hit = (await client.cashReceiptsForInvoice(remoteInvoice)).find((r) => r.custom_id === customId);
      if (hit) {
        await setLink(ctx.db, 'payment', paymentId, { state: 'synced', remote_id: String(hit.id), last_error: null, synced_at: nowUtc() });
        counts.synced++;
        return;
      }
    }
    const elorusInvoice = await client.getInvoice(remoteInvoice);
    // Issued as paid (paid_on_receipt): Elorus recorded the money with the invoice; a receipt would count it twice.
    if (cents(elorusInvoice.paid_on_receipt) > 0) {
      await setLink(ctx.db, 'payment', paymentId, { state: 'synced', remote_id: null, last_error: null, synced_at: nowUtc() });
      counts.already_paid++;
      return;
    }
    await setLink(ctx.db, 'payment', paymentId, { state: 'sending', attempts: attempts + 1 });
    const amount = (Number(p.amount_cents) / 100).toFixed(2);
    const receipt = await client.createCashReceipt({
      custom_id: customId,
      contact: String(elorusInvoice.client),
      date: String(p.paid_on).slice(0, 10),
      amount,
      currency_code: 'EUR',
      payment_method: PAYMENT_METHOD[p.method] ?? '3',
      invoice_payments: [{ invoice: remoteInvoice, amount }],
    });
    await setLink(ctx.db, 'payment', paymentId, { state: 'synced', remote_id: String(receipt.id), last_error: null, synced_at: nowUtc() });
    counts.synced++;
  } catch (e) {
    if (transient(e)) {
      const outcome = isAppError(e) ? e.extra?.outcome : undefined;
      // not_sent: safe to send again; otherwise the receipt may exist and the next run looks for it first.
      const cur = await getLink(ctx.db, 'payment', paymentId);
      await setLink(ctx.db, 'payment', paymentId, { state: cur?.state === 'sending' && outcome !== 'not_sent' ? 'sending' : 'pending', last_error: elorusMessage(e) });
      throw e;
    }
    // Elorus already holding a receipt with our custom_id is the acknowledgement we were missing.
    if (remoteInvoice && /custom_id/.test(elorusMessage(e))) {
      const hit = (await client.cashReceiptsForInvoice(remoteInvoice)).find((r) => r.custom_id === customId);
      if (hit) {
        await setLink(ctx.db, 'payment', paymentId, { state: 'synced', remote_id: String(hit.id), last_error: null, synced_at: nowUtc() });
        counts.synced++;
        return;
      }
    }
    await setLink(ctx.db, 'payment', paymentId, { state: 'refused', last_error: elorusMessage(e) });
    counts.refused++;
  }
}

export async function erpStatus(ctx: ServiceContext) {
  const settings = await loadErpSettings(ctx.db);
  const state = await getSyncState(ctx.db);
  const byState = await ctx.db('erp_links').where({ provider: 'elorus' }).select('kind', 'state').count({ n: '*' }).groupBy('kind', 'state');
  const links: Record<string, Record<string, number>> = { customer: {}, invoice: {}, payment: {} };
  for (const r of byState as Array<{ kind: string; state: string; n: number | string }>) (links[r.kind] ??= {})[r.state] = Number(r.n);
  const refused = await ctx.db('erp_links').where({ provider: 'elorus' }).whereIn('state', ['refused', 'pending', 'sending']).whereNotNull('last_error')
    .orderBy('updated_at', 'desc').limit(100).select('kind', 'local_id', 'state', 'last_error', 'attempts', 'updated_at');
  const job = await ctx.db('jobs').where({ task: 'erp.sync' }).orderBy('created_at', 'desc').first('id', 'state', 'error_code', 'error_message', 'created_at', 'finished_at');
  return {
    provider: settings.provider,
    auto_sync: settings.auto_sync,
    last_sync: state.last_sync ?? null,
    last_job: job ? { id: job.id, state: job.state, error: job.error_code ? { code: job.error_code, message: job.error_message } : null } : null,
    links,
    problems: refused.map((r: any) => ({ kind: r.kind, local_id: Number(r.local_id), state: r.state, message: r.last_error, attempts: Number(r.attempts) })),
  };
}

export function assertScope(scope: string): asserts scope is SyncScope {
  if (!(SYNC_SCOPES as readonly string[]).includes(scope)) throw new AppError('invalid_scope', 'scope is customers, invoices, payments or all.', 422);
}
