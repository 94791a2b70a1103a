/**
 * Operators: sub-accounts (resellers) with a funds balance. Funding is money: each top-up names a reference, and
 * (operator, reference) is unique, so a retried call adds nothing the second time and answers the first top-up.
 */
import type { Knex } from 'knex';
import { forUpdate, nowUtc, toIso } from '../../db/knex';
import { AppError } from '../../errors';
import type { ActionContext } from '../../gateway/action';
import { translateDbError } from '../../db/errors';

type Ctx = Pick<ActionContext, 'db' | 'actor'>;

export function publicOperator(r: Record<string, unknown>) {
  return {
    id: Number(r.id),
    name: r.name,
    email: r.email ?? null,
    phone: r.phone ?? null,
    status: r.status,
    balance: Number(r.balance_cents) / 100,
    balance_cents: Number(r.balance_cents),
    created_at: toIso(r.created_at),
    updated_at: toIso(r.updated_at),
  };
}

async function requireOperator(db: Knex | Knex.Transaction, id: number) {
  const row = await db('operators').where({ id }).first();
  if (!row) throw new AppError('operator_not_found', `No operator with id ${id}.`, 404);
  return row;
}

async function assertFreeName(db: Knex, name: string, exceptId?: number) {
  const q = db('operators').where({ name });
  if (exceptId) q.whereNot({ id: exceptId });
  if (await q.first('id')) throw new AppError('duplicate_operator_name', `An operator named "${name}" already exists.`, 409);
}

export async function createOperator(ctx: Ctx, input: { name: string; email?: string | null; phone?: string | null }) {
  await assertFreeName(ctx.db, input.name);
  const now = nowUtc();
  const [id] = await ctx.db('operators').insert({ name: input.name, email: input.email ?? null, phone: input.phone ?? null, status: 'active', balance_cents: 0, created_at: now, updated_at: now });
  return publicOperator(await requireOperator(ctx.db, Number(id)));
}

export async function updateOperator(ctx: Ctx, id: number, input: { name?: string; email?: string | null; phone?: string | null; status?: 'active' | 'suspended' }) {
  await requireOperator(ctx.db, id);
  if (input.name !== undefined) await assertFreeName(ctx.db, input.name, id);
  const patch: Record<string, unknown> = { updated_at: nowUtc() };
  for (const k of ['name', 'email', 'phone', 'status'] as const) if (input[k] !== undefined) patch[k] = input[k];
  await ctx.db('operators').where({ id }).update(patch);
  return publicOperator(await requireOperator(ctx.db, id));
}

export async function listOperators(db: Knex, f: { page: number; per_page: number; status?: string }) {
  const base = () => (f.status ? db('operators').where({ status: f.status }) : db('operators'));
  const [{ n }] = await base().count({ n: '*' });
  const rows = await base().orderBy('id').limit(f.per_page).offset((f.page - 1) * f.per_page);
  return { total: Number(n), items: rows.map(publicOperator) };
}

export async function fundOperator(ctx: Ctx, id: number, input: { amountCents: number; reference: string; note?: string | null }) {
  if (input.amountCents <= 0) throw new AppError('invalid_amount', 'A top-up is more than nothing.', 422, { details: { amount: 'must be greater than 0' } });
  const existing = async () => ctx.db('operator_funds').where({ operator_id: id, reference: input.reference }).first();
  const replay = (f: Record<string, unknown>, op: Record<string, unknown>) => {
    if (Number(f.amount_cents) !== input.amountCents)
      throw new AppError('reference_reused', `The reference "${input.reference}" was used for a top-up of another amount.`, 409);
    return { operator: publicOperator(op), fund: { id: Number(f.id), amount: Number(f.amount_cents) / 100, reference: f.reference, created_at: toIso(f.created_at) }, duplicate: true };
  };
  const op = await requireOperator(ctx.db, id);
  if (op.status !== 'active') throw new AppError('operator_suspended', `Operator ${op.name} is suspended; activate it before funding.`, 409);
  const prior = await existing();
  if (prior) return replay(prior, op);
  try {
    return await ctx.db.transaction(async (trx) => {
      // Top-ups of one operator take turns on its row: a retry racing the first call finds its row after it.
      await forUpdate(ctx.db, trx('operators').where({ id }).first('id'));
      const raced = await forUpdate(ctx.db, trx('operator_funds').where({ operator_id: id, reference: input.reference }).first());
      if (raced) return replay(raced, await requireOperator(trx, id));
      const [fid] = await trx('operator_funds').insert({ operator_id: id, amount_cents: input.amountCents, reference: input.reference, note: input.note ?? null, created_by: ctx.actor.username?.slice(0, 128) ?? null, created_at: nowUtc() });
      await trx('operators').where({ id }).update({ balance_cents: trx.raw('balance_cents + ?', [input.amountCents]), updated_at: nowUtc() });
      const f = await trx('operator_funds').where({ id: Number(fid) }).first();
      return { operator: publicOperator(await requireOperator(trx, id)), fund: { id: Number(f.id), amount: Number(f.amount_cents) / 100, reference: f.reference, created_at: toIso(f.created_at) }, duplicate: false };
    });
  } catch (e) {
    // Two calls with one reference at once: the unique key let one in (the other fails on the key, or on MariaDB
    // may be chosen as a deadlock victim); the loser answers what the winner did.
    if (!(e instanceof AppError) || translateDbError(e)) {
      const again = await existing();
      if (again) return replay(again, await requireOperator(ctx.db, id));
    }
    throw e;
  }
}
