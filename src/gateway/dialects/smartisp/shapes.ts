/**
 * ispgate's records in SmartISP's reply shapes. SmartISP splits a subscriber into a "client" (the person, keyed by
 * DNI) and "services" (the connection); in ispgate both are the one subscriber row, so a client has exactly one
 * service and both carry the subscriber's id. Fields SmartISP has and ispgate does not (e-invoicing for other
 * countries, ODB/ONU, maps) answer null or their SmartISP default. Secrets are never returned: router and hotspot
 * passwords answer MASK.
 */
import type { Knex } from 'knex';
import { parseRatePair } from '../../../domain/rate';

export const MASK = '********';

type Row = Record<string, unknown>;

/** bits/s → kbit/s (ispgate's units are decimal: a 50M plan is 50000). */
export const kbit = (bps: unknown) => Math.round(Number(bps ?? 0) / 1000);

const money = (cents: number) => (cents / 100).toFixed(2);
/** `2026-11-30T10:00:00.000Z` → `2026-11-30 10:00:00` (SmartISP's Laravel timestamps). */
export const stamp = (iso: unknown) => (typeof iso === 'string' && iso ? iso.replace('T', ' ').slice(0, 19) : null);
const day = (iso: unknown) => (typeof iso === 'string' && iso ? iso.slice(0, 10) : null);

export const subscriberNo = (id: number) => String(id).padStart(4, '0');

export function customFieldsOf(c: Row): Record<string, string> {
  const cf = c.custom_fields;
  return cf && typeof cf === 'object' ? (cf as Record<string, string>) : {};
}

/** The client's DNI: the one given at create-client (kept as custom field `dni`), else the username. */
export const dniOf = (c: Row) => customFieldsOf(c).dni ?? String(c.username);

export function planShape(p: Row, vatRate: number) {
  const burst = typeof p.burst_limit === 'string' ? parseRatePair(p.burst_limit) : null;
  const threshold = typeof p.burst_threshold === 'string' ? parseRatePair(p.burst_threshold) : null;
  const time = typeof p.burst_time === 'string' ? Number(/^\s*(\d+)/.exec(p.burst_time)?.[1] ?? 0) : 0;
  return {
    id: Number(p.id),
    name: String(p.name),
    download: kbit(p.download_bps),
    upload: kbit(p.upload_bps),
    num_clients: Number(p.subscribers ?? 0),
    cost: String(p.price),
    iva: vatRate.toFixed(2),
    burst_limit: burst ? kbit(burst.download) : 0,
    burst_threshold: threshold ? kbit(threshold.download) : 0,
    burst_time: time,
    priority: p.priority === null || p.priority === undefined ? 8 : Number(p.priority),
    limitat: 100,
    aggregation: 1,
    title: null,
    no_rules: 0,
    address_list_name: null,
  };
}

export function routerShape(r: Row) {
  return {
    id: Number(r.id),
    name: String(r.name),
    model: null,
    ip: String(r.ip),
    location: null,
    coordinates: null,
    clients: Number(r.customers ?? 0),
    status: r.status === 'online' ? 'on' : 'off',
    connection: 0,
    login: r.user ?? null,
    password: MASK,
    port: Number(r.port),
    lan: '',
    created_at: r.created_at ?? null,
    updated_at: r.updated_at ?? null,
    map_marker_icon: null,
  };
}

/** SmartISP's client record from a subscriber (get_customer / list_customers shape). */
export function clientShape(c: Row, balanceCents = 0, fiscalIds = true) {
  // SmartISP's invoice endpoints answer the client without its (Colombian e-invoicing) fiscal ids.
  const fiscal = fiscalIds ? { type_document_identification_id: 0, type_organization_id: 0, municipality_id: 0, type_liability_id: 0, type_regime_id: 0 } : {};
  return {
    id: Number(c.id),
    name: c.fullname ?? String(c.username),
    email: c.email ?? null,
    phone: c.phone ?? null,
    address: c.address ?? null,
    coordinates: null,
    photo: '',
    dni: dniOf(c),
    dv: null,
    custom_token_nuvai: null,
    created_at: stamp(c.created_at),
    updated_at: stamp(c.updated_at),
    balance: money(-balanceCents),
    odb_id: null,
    onu_id: null,
    port: null,
    onusn: null,
    zona_id: null,
    ...fiscal,
    merchant_registration: null,
    adjustable_amount: '0.00',
    id_punto_emision: null,
    wallet_balance: 0,
    map_marker_icon: null,
    odb_geo_json: null,
    odb_geo_json_styles: null,
    subscriber_no: subscriberNo(Number(c.id)),
    electronic_invoice: 'No',
  };
}

/** The subscriber's connection as a SmartISP service (its id is the subscriber's). */
export function serviceShape(c: Row, online: boolean) {
  const cf = customFieldsOf(c);
  return {
    id: Number(c.id),
    client_id: Number(c.id),
    ip: c.static_ip ?? null,
    mac: c.mac_address ?? null,
    date_in: cf.date_in ?? day(c.activated_at) ?? day(c.created_at),
    plan_id: Number(c.plan_id),
    router_id: c.router_id === null || c.router_id === undefined ? null : Number(c.router_id),
    status: c.status === 'active' ? 'ac' : 'de',
    user_hot: String(c.username),
    pass_hot: MASK,
    typeauth: null,
    onmikrotik: c.router_id ? 1 : 0,
    created_at: day(c.created_at),
    updated_at: day(c.updated_at),
    billing_type: cf.billing_type ?? 'recurring',
    online: online ? 'on' : 'off',
    tree_priority: 0,
    manually_cortado: c.status === 'suspended' ? 1 : 0,
    smartolt_sn: null,
    geo_json: null,
    geo_json_styles: null,
    send_invoice: cf.send_invoice === '1' ? 1 : 0,
    ipv6: '',
    ipv6_delegated: '',
  };
}

/** Invoice statuses as SmartISP numbers them (1 paid, 3 unpaid) and names them. */
export function invoiceStatusNumber(status: string): number {
  return status === 'paid' ? 1 : status === 'void' || status === 'cancelled' ? 2 : 3;
}
export function invoiceStatusName(status: string): string {
  return status === 'paid' ? 'Pagada' : status === 'void' ? 'Anulada' : status === 'cancelled' ? 'Cancelada' : status === 'overdue' ? 'Vencida' : 'No pagado';
}

/** An ispgate invoice (serializeInvoice) as SmartISP's BillCustomer; `status` numeric or named. */
export function invoiceShape(inv: Row, statusAs: 'number' | 'name') {
  const status = String(inv.status);
  const period = typeof inv.period === 'string' && /^\d{4}-\d{2}$/.test(inv.period) ? inv.period : null;
  return {
    id: Number(inv.id),
    num_bill: String(inv.number),
    period: period ? lastDayOf(period) : day(inv.due_date),
    release_date: day(inv.issue_date),
    expiration_date: day(inv.due_date),
    iva: money(Number(inv.vat_cents)),
    cost: money(Number(inv.net_cents)),
    total_pay: money(Number(inv.total_cents)),
    actual_total_pay: null,
    status: statusAs === 'number' ? invoiceStatusNumber(status) : invoiceStatusName(status),
    client_id: Number(inv.customer_id),
    service_id: period ? Number(inv.customer_id) : null,
    open: 0,
    created_at: day(inv.created_at),
    updated_at: day(inv.paid_at ?? inv.created_at),
    note: inv.notes ?? null,
    memo: inv.notes ?? null,
    xero_id: null,
    paid_on: day(inv.paid_at),
    start_date: period ? `${period}-01` : day(inv.issue_date),
    use_transactions: '0',
    billing_type: period ? 'recurring' : 'none',
    recurring_invoice: 'no',
    cortado_date: day(inv.due_date),
    csv_generated: 0,
    payment_id: null,
  };
}

function lastDayOf(month: string): string {
  const [y, m] = month.split('-').map(Number);
  return `${month}-${String(new Date(Date.UTC(y, m, 0)).getUTCDate()).padStart(2, '0')}`;
}

/** What each subscriber owes on open invoices (unpaid and overdue), in cents. */
export async function balancesOf(db: Knex, customerIds: number[]): Promise<Map<number, number>> {
  if (!customerIds.length) return new Map();
  const rows = (await db('invoices')
    .whereIn('customer_id', customerIds)
    .whereIn('status', ['unpaid', 'overdue'])
    .select('customer_id')
    .sum({ total: 'total_cents' })
    .sum({ paid: 'paid_cents' })
    .groupBy('customer_id')) as Array<{ customer_id: number; total: number | string; paid: number | string }>;
  return new Map(rows.map((r) => [Number(r.customer_id), Number(r.total) - Number(r.paid)]));
}

/** Subscribers with an open RADIUS session. */
export async function onlineOf(db: Knex, usernames: string[]): Promise<Set<string>> {
  if (!usernames.length) return new Set();
  const rows = (await db('radacct').whereNull('acctstoptime').whereIn('username', usernames).distinct('username')) as Array<{ username: string }>;
  return new Set(rows.map((r) => r.username));
}

/** Helpdesk statuses and priorities between SmartISP's words and ispgate's. */
export const TICKET_STATUS_TO_ISPGATE = {
  new: 'open',
  work_in_progress: 'in_progress',
  resolved: 'resolved',
  waiting_on_customer: 'waiting',
  waiting_on_agent: 'open',
} as const;
export const TICKET_STATUS_FROM_ISPGATE: Record<string, string> = {
  open: 'new',
  in_progress: 'work_in_progress',
  waiting: 'waiting_on_customer',
  resolved: 'resolved',
  closed: 'resolved',
};
export const PRIORITY_TO_ISPGATE = { low: 'low', medium: 'normal', high: 'high', urgent: 'urgent' } as const;
export const PRIORITY_FROM_ISPGATE: Record<string, string> = { low: 'low', normal: 'medium', high: 'high', urgent: 'urgent' };
export const TICKET_STATUSES = Object.keys(TICKET_STATUS_TO_ISPGATE) as Array<keyof typeof TICKET_STATUS_TO_ISPGATE>;
export const TICKET_TYPES = ['question', 'incident', 'problem', 'feature_request', 'lead'] as const;
export const TICKET_PRIORITIES = Object.keys(PRIORITY_TO_ISPGATE) as Array<keyof typeof PRIORITY_TO_ISPGATE>;

/** A ticket (get_ticket / list_tickets shape) as SmartISP's. */
export function ticketShape(t: Row, clientDni: string | null) {
  const customer = t.customer as { id: number; username: string; fullname: string | null } | null;
  const assigned = t.assigned_to as { id: number; username: string } | null;
  return {
    id: Number(t.id),
    subject: String(t.subject),
    section: t.category ?? null,
    status: TICKET_STATUS_FROM_ISPGATE[String(t.status)] ?? 'new',
    type: 'question',
    priority: PRIORITY_FROM_ISPGATE[String(t.priority)] ?? 'medium',
    client_id: customer ? Number(customer.id) : null,
    user_id: assigned ? Number(assigned.id) : null,
    ticket_cun_number: String(t.id),
    read_admin: 1,
    read_client: 0,
    created_at: t.created_at ?? null,
    updated_at: t.updated_at ?? null,
    client: customer ? { id: Number(customer.id), name: customer.fullname ?? customer.username, dni: clientDni ?? customer.username } : null,
    user: assigned ? { id: Number(assigned.id), name: assigned.username } : null,
  };
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
/** `2026-05-30T13:30:50Z` → ` May 30, 2026 13:30:50` (the answers' date, as SmartISP writes it). */
export function answerDate(iso: unknown): string | null {
  if (typeof iso !== 'string' || !iso) return null;
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return null;
  const p = (n: number) => String(n).padStart(2, '0');
  return ` ${MONTHS[d.getUTCMonth()]} ${p(d.getUTCDate())}, ${d.getUTCFullYear()} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}`;
}
