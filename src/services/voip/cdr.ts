import type { ServiceContext } from '../context';
import { AppError } from '../../errors';
import { Page } from '../../domain/page';
import type { MorCall, XmlNode } from '../../adapters/mor/mor-client';
import { getSettings } from '../core/settings';
import { morClient } from './settings';
import { needMorUserId, needMorUsername, type VoipTarget } from './subscribers';
import { localMidnightUnix, morDateToIso, nextDay } from './time';

export const CALL_TYPES = ['all', 'answered', 'no_answer', 'failed', 'busy'] as const;
export type CallType = (typeof CALL_TYPES)[number];
const MAX_DAYS = 366;

export async function installationTimezone(ctx: ServiceContext): Promise<string> {
  const general = await getSettings(ctx.db, 'general');
  return typeof general.timezone === 'string' && general.timezone ? general.timezone : 'Europe/Athens';
}

export async function morBalance(ctx: ServiceContext, target: VoipTarget) {
  const username = needMorUsername(target);
  const { client, settings } = await morClient(ctx);
  const balance = await client.balance(username, settings.currency);
  return { username: target.username, customer_id: target.customerId, mor_user_id: target.morUserId, mor_username: username, balance: Number(balance), currency: settings.currency };
}

export interface CdrInput {
  target: VoipTarget;
  from?: string;
  to?: string;
  call_type?: CallType;
  destination?: string;
  number?: string;
  min_duration?: number;
  page: number;
  per_page: number;
  format?: 'json' | 'csv';
}

function callOut(c: MorCall) {
  const disp = /^([A-Z ]+)/.exec(String(c.dispod ?? ''))?.[1]?.trim().toLowerCase().replace(' ', '_') ?? null;
  const num = (v: unknown) => (v === undefined || v === null || v === '' || Number.isNaN(Number(v)) ? null : Number(v));
  return {
    started_at: morDateToIso(c.calldate2, c.timezone),
    src: c.src ? String(c.src) : null,
    dst: c.dst ? String(c.dst) : null,
    destination: c.destination ? String(c.destination) : null,
    prefix: c.prefix ? String(c.prefix) : null,
    disposition: disp,
    duration: num(c.nice_billsec) ?? 0,
    did: c.did ? String(c.did) : null,
    rate: num(c.user_rate),
    price: num(c.user_price) ?? 0,
    currency: c.user_currency ? String(c.user_currency) : null,
  };
}

const CSV_COLUMNS = ['started_at', 'src', 'dst', 'destination', 'prefix', 'disposition', 'duration', 'did', 'rate', 'price', 'currency'] as const;

function csvCell(v: unknown): string {
  let s = v === null || v === undefined ? '' : String(v);
  // A cell starting with = or @ would run as a formula in a spreadsheet.
  if (/^[=@]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** A subscriber's calls for a period of local dates, from MOR's user_calls_get. */
export async function morCdr(ctx: ServiceContext, input: CdrInput) {
  const userId = needMorUserId(input.target);
  const tz = await installationTimezone(ctx);
  const today = new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
  const from = input.from ?? today;
  const to = input.to ?? from;
  if (to < from) throw new AppError('invalid_to', 'The period ends (to) before it starts (from).', 422, { details: { to: 'before from' } });
  if ((Date.parse(to) - Date.parse(from)) / 86_400_000 >= MAX_DAYS) throw new AppError('invalid_to', `A period is at most ${MAX_DAYS} days.`, 422, { details: { to: `at most ${MAX_DAYS} days after from` } });
  const periodStart = localMidnightUnix(from, tz);
  const periodEnd = localMidnightUnix(nextDay(to), tz) - 1;
  const { client } = await morClient(ctx);
  const r = await client.calls({
    period_start: periodStart, period_end: periodEnd, s_user: userId,
    s_call_type: input.call_type && input.call_type !== 'all' ? input.call_type.replace('_', ' ') : undefined,
    s_destination: input.destination,
  });
  let calls = r.calls.map(callOut);
  if (input.number) calls = calls.filter((c) => (c.src ?? '').includes(input.number!) || (c.dst ?? '').includes(input.number!));
  if (input.min_duration !== undefined) calls = calls.filter((c) => c.duration >= input.min_duration!);
  calls.sort((a, b) => String(b.started_at).localeCompare(String(a.started_at)));
  const period = { from, to, timezone: tz, period_start: periodStart, period_end: periodEnd };
  if (input.format === 'csv') {
    const csv = [CSV_COLUMNS.join(','), ...calls.map((c) => CSV_COLUMNS.map((k) => csvCell(c[k])).join(','))].join('\r\n') + '\r\n';
    return { format: 'csv', content_type: 'text/csv; charset=utf-8', filename: `cdr-${input.target.morUserId}-${from}-${to}.csv`, rows: calls.length, period, csv };
  }
  const total = calls.length;
  const items = calls.slice((input.page - 1) * input.per_page, input.page * input.per_page);
  return Page.of(items, input.page, input.per_page, total);
}

export const TARIFF_PURPOSES = ['provider', 'user', 'user_wholesale', 'user_by_provider'] as const;

export async function morTariffs(ctx: ServiceContext, purpose?: string) {
  const { client } = await morClient(ctx);
  const list = (await client.tariffs()).map((t: XmlNode) => ({
    id: Number(t.id),
    name: String(t.name ?? ''),
    purpose: String(t.purpose ?? ''),
    currency: String(t.currency ?? ''),
    last_update_date: t.last_update_date ? String(t.last_update_date) : null,
  }));
  return purpose ? list.filter((t) => t.purpose === purpose) : list;
}
