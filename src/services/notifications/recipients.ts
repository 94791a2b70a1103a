/**
 * Who a notification goes to: one subscriber, one admin, a list of subscribers, or a segment (every subscriber, or
 * those on a plan, on a router, of a status, or with an overdue invoice). Resolved in a few set queries so a
 * 10,000-subscriber segment costs the same handful of statements as one subscriber.
 */
import type { Knex } from 'knex';
import { AppError } from '../../errors';
import { localToday } from '../billing/invoices';

export interface Recipient {
  type: 'customer' | 'admin';
  id: number;
  name: string;
  email: string | null;
  telegram_chat_id: string | null;
  telegram_blocked: boolean;
  notify_channels: string | null;
}

export type Target =
  | { kind: 'customer'; username: string }
  | { kind: 'admin'; admin: string }
  | { kind: 'list'; usernames: string[] }
  | { kind: 'segment'; segment: 'all' | 'plan' | 'router' | 'status' | 'overdue'; value?: string };

const CUSTOMER_COLS = ['c.id', 'c.username', 'c.fullname', 'c.email', 'c.telegram_chat_id', 'c.telegram_blocked_at', 'c.notify_channels'];

function fromCustomer(r: Record<string, any>): Recipient {
  return {
    type: 'customer',
    id: Number(r.id),
    name: r.fullname || r.username,
    email: r.email ?? null,
    telegram_chat_id: r.telegram_chat_id ?? null,
    telegram_blocked: Boolean(r.telegram_blocked_at),
    notify_channels: r.notify_channels ?? null,
  };
}

export async function resolveRecipients(db: Knex, target: Target): Promise<Recipient[]> {
  switch (target.kind) {
    case 'customer': {
      const r = await db('customers as c').where('c.username', target.username).first(CUSTOMER_COLS);
      if (!r) throw new AppError('customer_not_found', `No subscriber with username "${target.username}".`, 404);
      return [fromCustomer(r)];
    }
    case 'admin': {
      const q = /^\d+$/.test(target.admin) ? db('admins').where({ id: Number(target.admin) }) : db('admins').where({ username: target.admin });
      const a = await q.first('id', 'username', 'email', 'telegram_chat_id', 'telegram_blocked_at', 'notify_channels');
      if (!a) throw new AppError('admin_not_found', `No admin "${target.admin.slice(0, 64)}".`, 404);
      return [{ type: 'admin', id: a.id, name: a.username, email: a.email ?? null, telegram_chat_id: a.telegram_chat_id ?? null, telegram_blocked: Boolean(a.telegram_blocked_at), notify_channels: a.notify_channels ?? null }];
    }
    case 'list': {
      const wanted = [...new Set(target.usernames)];
      const rows: Record<string, any>[] = [];
      for (let i = 0; i < wanted.length; i += 500) rows.push(...(await db('customers as c').whereIn('c.username', wanted.slice(i, i + 500)).select(CUSTOMER_COLS)));
      const found = new Set(rows.map((r) => String(r.username).toLowerCase()));
      const missing = wanted.filter((u) => !found.has(u.toLowerCase()));
      if (missing.length)
        throw new AppError('customer_not_found', `No subscriber with username ${missing.slice(0, 5).map((u) => `"${u}"`).join(', ')}${missing.length > 5 ? ` and ${missing.length - 5} more` : ''}.`, 404);
      return rows.map(fromCustomer);
    }
    case 'segment': {
      const q = db('customers as c').select(CUSTOMER_COLS).orderBy('c.id');
      const v = target.value;
      const need = () => {
        if (!v) throw new AppError('missing_value', `The segment "${target.segment}" needs a value.`, 422, { details: { value: 'required' } });
        return v;
      };
      switch (target.segment) {
        case 'all':
          break;
        case 'plan': {
          const val = need();
          const p = await db('plans').where(/^\d+$/.test(val) ? { id: Number(val) } : { name: val }).first('id');
          if (!p) throw new AppError('plan_not_found', `No plan "${val}".`, 404);
          q.where('c.plan_id', p.id);
          break;
        }
        case 'router': {
          const val = need();
          const r = await db('routers').where(/^\d+$/.test(val) ? { id: Number(val) } : { name: val }).first('id');
          if (!r) throw new AppError('router_not_found', `No router "${val}".`, 404);
          q.where('c.router_id', r.id);
          break;
        }
        case 'status': {
          const val = need();
          if (val !== 'active' && val !== 'suspended') throw new AppError('invalid_value', 'The status segment is "active" or "suspended".', 422, { details: { value: 'active or suspended' } });
          q.where('c.status', val);
          break;
        }
        case 'overdue': {
          // The installation's calendar day, as billing dates its invoices (UTC would be a day off around midnight).
          const today = await localToday(db);
          q.whereExists(db('invoices as i').select(db.raw('1')).whereRaw('i.customer_id = c.id').whereIn('i.status', ['unpaid', 'overdue']).where('i.due_date', '<', today).whereRaw('i.total_cents > i.paid_cents'));
          break;
        }
      }
      return (await q).map(fromCustomer);
    }
  }
}
