import type { Knex } from 'knex';
import { nowUtc } from '../../../src/db/knex';

/** Plans and customers are the network area's tables; billing tests write the rows they need directly. */
export async function addPlan(db: Knex, name: string, priceCents: number): Promise<number> {
  const now = nowUtc();
  const [id] = await db('plans').insert({ name, download_bps: 100_000_000, upload_bps: 10_000_000, price_cents: priceCents, created_at: now, updated_at: now });
  return Number(id);
}

export async function addCustomer(db: Knex, planId: number, over: Record<string, unknown> = {}): Promise<number> {
  const now = nowUtc();
  const n = Math.random().toString(36).slice(2, 10);
  const [id] = await db('customers').insert({
    username: `user_${n}`, password: 'secret-pw', fullname: `Customer ${n}`, email: `${n}@example.gr`, plan_id: planId, status: 'active',
    activated_at: '2026-01-01 00:00:00', created_at: now, updated_at: now, ...over,
  });
  return Number(id);
}

export async function addCustomers(db: Knex, planId: number, count: number, over: Record<string, unknown> = {}): Promise<number[]> {
  const now = nowUtc();
  const rows = Array.from({ length: count }, (_, i) => ({
    username: `bulk_${i}_${Math.random().toString(36).slice(2, 8)}`, password: 'secret-pw', plan_id: planId, status: 'active',
    activated_at: '2026-01-01 00:00:00', created_at: now, updated_at: now, ...over,
  }));
  await db.batchInsert('customers', rows, 500);
  return (await db('customers').whereIn('username', rows.map((r) => r.username)).orderBy('id').select('id')).map((r) => Number(r.id));
}
