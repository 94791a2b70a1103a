import { AppError, isAppError } from '../../errors';
import { insertId, nowUtc, toIso } from '../../db/knex';
import type { ServiceContext } from '../context';
import { isVatRate } from '../../domain/vat';
import { createManualInvoice, invoiceRef } from '../billing/invoices';
import { loadSettings as loadBillingSettings } from '../billing/settings';
import type { MorClient } from '../../adapters/mor/mor-client';
import { morClient, type VoipSettings } from './settings';
import { needMorUserId, needMorUsername, type VoipTarget } from './subscribers';

export const MAX_TOPUP_CENTS = 1_000_000;

export interface TopupInput {
  target: VoipTarget;
  amountCents: number;
  key: string;
  invoice: boolean;
}

const OPEN = ['sending', 'unknown'];

function inProgress(id: number): AppError {
  return new AppError('voip_topup_in_progress', `Another top-up of this MOR user (${id}) has no known outcome yet; retry that one with its own key first.`, 409, { extra: { topup_id: id } });
}

/**
 * Whether MOR's balance shows the credit. Calls ending in between can lower the balance a little, never by half of
 * a top-up in the seconds between two reads, so "rose by at least half the amount" separates credited from not.
 */
export function creditVisible(before: string | null, now: string, amountCents: number): boolean {
  if (before === null) return false;
  return Math.round((Number(now) - Number(before)) * 100) * 2 >= amountCents;
}

/**
 * Adds credit to a MOR user exactly once per key. The row is committed before MOR is called; a reply that is lost
 * leaves it `unknown`, and the retry reads the balance back before it decides whether anything may be sent again.
 * With `invoice` the top-up is billed to the subscriber through billing's manual invoice path (VAT included) once
 * the credit is known to be there.
 */
export async function topup(ctx: ServiceContext, input: TopupInput) {
  const { client, settings } = await morClient(ctx);
  let row = await ctx.db('voip_topups').where({ topup_key: input.key }).first();
  if (!row) {
    const userId = needMorUserId(input.target);
    const username = needMorUsername(input.target);
    if (input.invoice) await checkInvoicePossible(ctx, input.target, settings);
    const id = await ctx.db.transaction(async (trx) => {
      const open = await trx('voip_topups').where({ mor_user_id: userId }).whereIn('status', OPEN).first('id');
      if (open) throw inProgress(Number(open.id));
      const now = nowUtc();
      return insertId(trx, 'voip_topups', {
        topup_key: input.key, customer_id: input.target.customerId, mor_user_id: userId, mor_username: username, amount_cents: input.amountCents,
        currency: settings.currency, method: settings.topup_method, status: 'pending', sends: 0, created_at: now, updated_at: now,
      });
    });
    row = await ctx.db('voip_topups').where({ id }).first();
  }
  if (row.status !== 'succeeded') {
    if (OPEN.includes(row.status)) row = await resolveByBalance(ctx, client, row);
    if (row.status === 'pending') row = await send(ctx, client, row);
  }
  if (input.invoice && !row.invoice_id) row = await billTopup(ctx, row, settings);
  return topupOut(ctx, row);
}

async function update(ctx: ServiceContext, id: number, patch: Record<string, unknown>) {
  await ctx.db('voip_topups').where({ id }).update({ ...patch, updated_at: nowUtc() });
  return ctx.db('voip_topups').where({ id }).first();
}

async function resolveByBalance(ctx: ServiceContext, client: MorClient, row: any) {
  const now = await client.balance(row.mor_username);
  if (creditVisible(row.balance_before, now, Number(row.amount_cents))) {
    ctx.log.info('voip top-up credit found on read-back', { topup_id: row.id });
    return update(ctx, row.id, { status: 'succeeded', resolved_by: 'balance', balance_after: now, message: null });
  }
  // Not credited: MOR never applied the lost request, so it may be sent again.
  return update(ctx, row.id, { status: 'pending', message: 'not credited on read-back; sent again' });
}

async function send(ctx: ServiceContext, client: MorClient, row: any) {
  const before = await client.balance(row.mor_username);
  row = await update(ctx, row.id, { status: 'sending', balance_before: before, sends: Number(row.sends) + 1 });
  const amount = (Number(row.amount_cents) / 100).toFixed(2);
  let paymentId: string | null = null;
  try {
    if (row.method === 'user_balance_update') {
      const target = (Math.round(Number(before) * 10000) + Number(row.amount_cents) * 100) / 10000;
      await client.balanceUpdate(Number(row.mor_user_id), target.toFixed(4));
    } else {
      const r = await client.paymentCreate({ userId: Number(row.mor_user_id), currency: row.currency, amount, transaction: `ispgate-${ctx.tenant.slug}-topup-${row.id}`, comment: 'Credit top-up' });
      paymentId = r.paymentId;
    }
  } catch (e) {
    const outcome = isAppError(e) ? (e.extra?.outcome as string | undefined) : undefined;
    const message = String((e as Error).message).slice(0, 255);
    if (outcome === 'refused' || outcome === 'not_sent') {
      // MOR said no (or never got it): nothing was credited, a retry with the same key sends again.
      await update(ctx, row.id, { status: 'pending', message });
      throw e;
    }
    await update(ctx, row.id, { status: 'unknown', message });
    throw new AppError('voip_unreachable', `MOR got the top-up but its answer was lost (${message}); retry with the same idempotency key: the balance is read back before anything is sent again.`, 504, {
      extra: { topup_id: Number(row.id), outcome: 'unknown' },
    });
  }
  const after = await client.balance(row.mor_username).catch(() => null);
  return update(ctx, row.id, { status: 'succeeded', resolved_by: 'reply', mor_payment_id: paymentId, balance_after: after, message: null });
}

async function checkInvoicePossible(ctx: ServiceContext, target: VoipTarget, settings: VoipSettings) {
  if (target.customerId === null) {
    throw new AppError('invalid_invoice', 'invoice=1 bills a subscriber: name them with username (this MOR user is linked to none).', 422, { details: { invoice: 'needs a subscriber' } });
  }
  const billing = await loadBillingSettings(ctx.db);
  if (!isVatRate(settings.topup_vat_rate) || !billing.vatRates.includes(settings.topup_vat_rate)) {
    throw new AppError('invalid_vat_rate', `The top-up VAT rate ${settings.topup_vat_rate}% is not offered in the billing settings; set topup_vat_rate in save_voip_settings.`, 422, { details: { topup_vat_rate: 'not offered' } });
  }
}

async function billTopup(ctx: ServiceContext, row: any, settings: VoipSettings) {
  if (row.status !== 'succeeded' || row.customer_id === null) return row;
  // The marker finds an invoice a crash left unrecorded on the row, so a retry never bills twice.
  const marker = `mor_topup:${row.id}`;
  const existing = await ctx.db('invoices').where({ customer_id: row.customer_id, notes: marker }).first('id');
  let invoiceId = existing ? Number(existing.id) : null;
  if (!invoiceId) {
    const amount = (Number(row.amount_cents) / 100).toFixed(2);
    const inv = await createManualInvoice(ctx, {
      customer_id: Number(row.customer_id),
      lines: [{ description: `VoIP credit top-up ${amount} ${row.currency}`, quantity: 1, unitPriceCents: Number(row.amount_cents), vatRate: settings.topup_vat_rate as never }],
      prices_include_vat: true,
      notes: marker,
    });
    invoiceId = Number(inv.id);
  }
  return update(ctx, row.id, { invoice_id: invoiceId });
}

async function topupOut(ctx: ServiceContext, row: any) {
  let invoice = null;
  if (row.invoice_id) {
    const inv = await ctx.db('invoices').where({ id: row.invoice_id }).first('id', 'series', 'number', 'net_cents', 'vat_cents', 'total_cents', 'status');
    if (inv) invoice = { id: Number(inv.id), invoice_no: invoiceRef(inv.series, Number(inv.number)), net_cents: Number(inv.net_cents), vat_cents: Number(inv.vat_cents), total_cents: Number(inv.total_cents), status: inv.status };
  }
  return {
    topup_id: Number(row.id),
    status: row.status,
    customer_id: row.customer_id !== null ? Number(row.customer_id) : null,
    mor_user_id: Number(row.mor_user_id),
    mor_username: row.mor_username,
    amount: (Number(row.amount_cents) / 100).toFixed(2),
    amount_cents: Number(row.amount_cents),
    currency: row.currency,
    method: row.method,
    mor_payment_id: row.mor_payment_id ?? null,
    balance_before: row.balance_before !== null ? Number(row.balance_before) : null,
    balance: row.balance_after !== null ? Number(row.balance_after) : null,
    resolved_by: row.resolved_by ?? null,
    sends: Number(row.sends),
    invoice,
    created_at: toIso(row.created_at),
  };
}
