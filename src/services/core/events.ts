import type { Knex } from 'knex';
import { parseJson, toIso } from '../../db/knex';
import { LIKE_ESCAPE } from '../../db/like';
import type { Permissions, Section } from '../../domain/actor';
import { Page } from '../../domain/page';
import { redact } from '../../logger';
import type { ServiceContext } from '../context';

/**
 * Which section an event belongs to, by the part of its name before the dot: reading `invoice.paid` needs
 * billing.read, exactly as reading the invoice would. A name not listed (a later area's event) is shown to whoever
 * may read webhooks, since the outbox is first of all the webhook feed.
 */
export const EVENT_SECTIONS: Readonly<Record<string, Section>> = Object.freeze({
  customer: 'customers',
  invoice: 'billing',
  payment: 'payments',
  ticket: 'tickets',
  router: 'routers',
  einvoice: 'einvoice',
  webhook: 'webhooks',
});

export function eventSection(event: string): Section {
  return EVENT_SECTIONS[event.split('.')[0]] ?? 'webhooks';
}

// read or write grants reading (the gateway's rule, without importing the gateway into a service)
const allows = (perms: Permissions, s: Section, _level: 'read') => perms[s] === 'read' || perms[s] === 'write';

const prefixPattern = (prefix: string) => `${prefix.replace(/[!%_]/g, (m) => '!' + m)}%`;

export interface ListEventsInput {
  /** 'invoice', 'invoice.' or 'invoice.paid': events whose name is this one or starts with this prefix. */
  type?: string;
  page: number;
  per_page: number;
}

/**
 * Recent domain events from the outbox, newest first, only of the sections the caller may read. The payload's
 * `data` is returned with secret-looking keys redacted (the same rule as the logs): an event carries public
 * records today, and a later one that carries more must not leak through this list.
 */
export async function listEvents(ctx: Pick<ServiceContext, 'db' | 'actor'>, input: ListEventsInput) {
  const perms = ctx.actor.permissions;
  const prefixes = Object.entries(EVENT_SECTIONS);
  const readable = prefixes.filter(([, s]) => allows(perms, s, 'read')).map(([p]) => p);
  const hidden = prefixes.filter(([, s]) => !allows(perms, s, 'read')).map(([p]) => p);
  const scope = (q: Knex.QueryBuilder) => {
    if (allows(perms, 'webhooks', 'read')) {
      // every event except the sections not granted (names of unlisted areas included)
      for (const p of hidden) q.whereRaw(`event NOT LIKE ? ${LIKE_ESCAPE}`, [prefixPattern(`${p}.`)]);
    } else if (readable.length) {
      q.where((w) => {
        for (const p of readable) w.orWhereRaw(`event LIKE ? ${LIKE_ESCAPE}`, [prefixPattern(`${p}.`)]);
      });
    } else {
      q.whereRaw('1 = 0');
    }
    if (input.type) {
      const t = input.type;
      if (t.endsWith('.')) q.whereRaw(`event LIKE ? ${LIKE_ESCAPE}`, [prefixPattern(t)]);
      else q.where((w) => w.where('event', t).orWhereRaw(`event LIKE ? ${LIKE_ESCAPE}`, [prefixPattern(`${t}.`)]));
    }
    return q;
  };
  const [{ n }] = await scope(ctx.db('outbox_events')).count({ n: '*' });
  const rows = await scope(ctx.db('outbox_events'))
    .select('id', 'event_id', 'event', 'payload', 'created_at')
    .orderBy('id', 'desc')
    .limit(input.per_page)
    .offset((input.page - 1) * input.per_page);
  const items = rows.map((r: Record<string, any>) => {
    const body = parseJson<{ data?: unknown }>(r.payload, {});
    return { id: Number(r.id), event_id: r.event_id, event: r.event, section: eventSection(r.event), data: redact(body.data ?? null), created_at: toIso(r.created_at) };
  });
  return Page.of(items, input.page, input.per_page, Number(n));
}
