/**
 * Recharge cards (prepaid vouchers): a batch prints N cards of one value, each with a serial and a PIN shown once
 * and stored hashed. Redeeming a PIN credits the subscriber's balance (customer_credits) exactly once: the card
 * goes from active to redeemed in one conditional update, and the credit row is unique per card, in the same
 * transaction.
 */
import { requireCustomer } from '../network/customers';
import crypto from 'node:crypto';
import type { Knex } from 'knex';
import { nowUtc, toIso } from '../../db/knex';
import { AppError } from '../../errors';
import type { ActionContext } from '../../gateway/action';
import { sha256Hex } from '../../secrets';
import { localToday } from '../billing/invoices';

type Ctx = Pick<ActionContext, 'db' | 'actor'>;

/** 16 digits, grouped for printing; the digits alone are the PIN. */
function newPin(): string {
  let s = '';
  while (s.length < 16) s += String(crypto.randomInt(0, 10));
  return s;
}
const normalPin = (pin: string) => pin.replace(/[\s-]/g, '');

export function publicCard(r: Record<string, unknown>) {
  return {
    id: Number(r.id),
    batch_id: Number(r.batch_id),
    serial: r.serial,
    value: Number(r.value_cents) / 100,
    value_cents: Number(r.value_cents),
    status: r.status,
    customer_id: r.customer_id === null || r.customer_id === undefined ? null : Number(r.customer_id),
    redeemed_at: toIso(r.redeemed_at),
    expires_on: r.expires_on ? String(r.expires_on).slice(0, 10) : null,
    created_at: toIso(r.created_at),
  };
}

export async function createBatch(ctx: Ctx, input: { name: string; quantity: number; valueCents: number; expiresOn?: string }) {
  if (input.valueCents <= 0) throw new AppError('invalid_value', 'A recharge card is worth more than nothing.', 422, { details: { value: 'must be greater than 0' } });
  const now = nowUtc();
  const cards = Array.from({ length: input.quantity }, () => ({ pin: newPin() }));
  const batchId = await ctx.db.transaction(async (trx) => {
    const [id] = await trx('recharge_card_batches').insert({ name: input.name, value_cents: input.valueCents, quantity: input.quantity, expires_on: input.expiresOn ?? null, created_by: ctx.actor.username?.slice(0, 128) ?? null, created_at: now });
    const rows = cards.map((c, i) => ({ batch_id: Number(id), serial: `RC${String(id).padStart(5, '0')}-${String(i + 1).padStart(5, '0')}`, pin_hash: sha256Hex(c.pin), value_cents: input.valueCents, status: 'active', created_at: now }));
    for (let i = 0; i < rows.length; i += 500) await trx('recharge_cards').insert(rows.slice(i, i + 500));
    return Number(id);
  });
  const serials = await ctx.db('recharge_cards').where({ batch_id: batchId }).orderBy('id').select('serial');
  return {
    id: batchId,
    name: input.name,
    quantity: input.quantity,
    value: input.valueCents / 100,
    expires_on: input.expiresOn ?? null,
    cards: serials.map((s, i) => ({ serial: s.serial, pin: cards[i].pin })),
    note: 'The PINs are shown only now; print or export them.',
  };
}

export async function listCards(db: Knex, f: { page: number; per_page: number; batch_id?: number; status?: string }) {
  const base = () => {
    const q = db('recharge_cards as c').join('recharge_card_batches as b', 'b.id', 'c.batch_id');
    if (f.batch_id) q.where('c.batch_id', f.batch_id);
    if (f.status) q.where('c.status', f.status);
    return q;
  };
  const [{ n }] = await base().count({ n: '*' });
  const rows = await base().select('c.*', 'b.expires_on').orderBy('c.id').limit(f.per_page).offset((f.page - 1) * f.per_page);
  return { total: Number(n), items: rows.map(publicCard) };
}

export async function customerBalance(db: Knex | Knex.Transaction, customerId: number): Promise<number> {
  const [r] = await db('customer_credits').where({ customer_id: customerId }).sum({ s: 'amount_cents' });
  return Number(r?.s ?? 0);
}

/** Redeems a PIN for a subscriber: the card once, the credit once. */
export async function redeemCard(ctx: Ctx, input: { pin: string; customerId: number }) {
  const pin = normalPin(input.pin);
  if (!/^\d{16}$/.test(pin)) throw new AppError('invalid_pin', 'A recharge card PIN is 16 digits.', 422, { details: { pin: 'must be 16 digits' } });
  await requireCustomer(ctx.db, { id: input.customerId });
  const today = await localToday(ctx.db);
  const now = nowUtc();
  return ctx.db.transaction(async (trx) => {
    const card = await trx('recharge_cards as c').join('recharge_card_batches as b', 'b.id', 'c.batch_id').where('c.pin_hash', sha256Hex(pin)).first('c.*', 'b.expires_on');
    if (!card) throw new AppError('card_not_found', 'No recharge card has this PIN.', 404);
    if (card.status === 'redeemed') throw new AppError('card_already_redeemed', `Card ${card.serial} was already redeemed.`, 409);
    if (card.status !== 'active') throw new AppError('card_void', `Card ${card.serial} is void.`, 409);
    if (card.expires_on && String(card.expires_on).slice(0, 10) < today) throw new AppError('card_expired', `Card ${card.serial} expired on ${String(card.expires_on).slice(0, 10)}.`, 409);
    const n = await trx('recharge_cards').where({ id: card.id, status: 'active' }).update({ status: 'redeemed', customer_id: input.customerId, redeemed_at: now });
    if (n !== 1) throw new AppError('card_already_redeemed', `Card ${card.serial} was already redeemed.`, 409);
    await trx('customer_credits').insert({ customer_id: input.customerId, amount_cents: card.value_cents, source: 'recharge_card', reference: card.serial, created_by: ctx.actor.username?.slice(0, 128) ?? null, created_at: now });
    const balance = await customerBalance(trx, input.customerId);
    return { serial: card.serial, value: Number(card.value_cents) / 100, customer_id: input.customerId, balance: balance / 100, balance_cents: balance };
  });
}
