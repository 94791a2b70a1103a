/**
 * Helpdesk tickets. Every change is one transaction that writes the ticket, a ticket_history row per changed field
 * (who, what, when) and the ticket.created / ticket.updated event, so the history and the webhooks never disagree
 * with the ticket. Attachment bytes are written to DATA_DIR before that transaction, under their content hash: a
 * rolled-back ticket leaves at most an unreferenced file, never a row pointing at nothing.
 */
import { requireCustomer } from '../network/customers';
import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Knex } from 'knex';
import { forUpdate, nowUtc, toIso } from '../../db/knex';
import { emit } from '../../events/outbox';
import { AppError } from '../../errors';
import type { ServiceContext, UploadedFile } from '../context';
import { Page } from '../../domain/page';
import { contentDisposition, Download } from '../../domain/download';
import { allows } from '../../gateway/permissions';
import { effectivePermissions, type AdminRow } from '../core/admins';
import { containsPattern, LIKE_ESCAPE } from '../../db/like';

export const TICKET_STATUSES = ['open', 'in_progress', 'waiting', 'resolved', 'closed'] as const;
export type TicketStatus = (typeof TICKET_STATUSES)[number];
export const SETTABLE_STATUSES = ['open', 'in_progress', 'waiting', 'resolved'] as const;
export const PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;
export type Priority = (typeof PRIORITIES)[number];
export const CHANNELS = ['api', 'panel', 'email', 'phone', 'telegram', 'portal', 'walk_in'] as const;

/**
 * Which status may follow which. A closed ticket only comes back as open or in progress (a reply, or an explicit
 * status): it is never silently moved to "waiting" or "resolved", which would hide that it was reopened.
 */
const TRANSITIONS: Record<TicketStatus, readonly TicketStatus[]> = {
  open: ['in_progress', 'waiting', 'resolved', 'closed'],
  in_progress: ['open', 'waiting', 'resolved', 'closed'],
  waiting: ['open', 'in_progress', 'resolved', 'closed'],
  resolved: ['open', 'in_progress', 'waiting', 'closed'],
  closed: ['open', 'in_progress'],
};

export function canTransition(from: TicketStatus, to: TicketStatus): boolean {
  return TRANSITIONS[from]?.includes(to) ?? false;
}

/** Attachments: at most 5 per request (multer), each at most this size, of these types (read from the bytes). */
export const MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024;
const ATTACHMENT_TYPES: Array<{ mime: string; test: (b: Buffer, claimed: string) => boolean }> = [
  { mime: 'image/png', test: (b) => b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) },
  { mime: 'image/jpeg', test: (b) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff },
  { mime: 'image/gif', test: (b) => b.subarray(0, 4).toString('latin1') === 'GIF8' },
  { mime: 'image/webp', test: (b) => b.subarray(0, 4).toString('latin1') === 'RIFF' && b.subarray(8, 12).toString('latin1') === 'WEBP' },
  { mime: 'application/pdf', test: (b) => b.subarray(0, 5).toString('latin1') === '%PDF-' },
  // Plain text only when the sender says so and the bytes are UTF-8 without NULs (no binary smuggled as .txt).
  { mime: 'text/plain', test: (b, claimed) => claimed.startsWith('text/plain') && !b.includes(0) && isUtf8(b) },
];

function isUtf8(b: Buffer): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(b);
    return true;
  } catch {
    return false;
  }
}

interface TicketRow {
  id: number;
  customer_id: number | null;
  subject: string;
  status: TicketStatus;
  priority: Priority;
  category: string | null;
  channel: string;
  assigned_admin_id: number | null;
  created_by: string | null;
  created_at: string;
  updated_at: string;
  resolved_at: string | null;
  closed_at: string | null;
}

type Db = Knex | Knex.Transaction;

async function publicTicket(db: Db, t: TicketRow) {
  const customer = t.customer_id ? await db('customers').where({ id: t.customer_id }).first('id', 'username', 'fullname') : null;
  const admin = t.assigned_admin_id ? await db('admins').where({ id: t.assigned_admin_id }).first('id', 'username') : null;
  return {
    id: t.id,
    subject: t.subject,
    status: t.status,
    priority: t.priority,
    category: t.category,
    channel: t.channel,
    customer: customer ? { id: customer.id, username: customer.username, fullname: customer.fullname ?? null } : null,
    assigned_to: admin ? { id: admin.id, username: admin.username } : null,
    created_by: t.created_by,
    created_at: toIso(t.created_at),
    updated_at: toIso(t.updated_at),
    resolved_at: toIso(t.resolved_at),
    closed_at: toIso(t.closed_at),
  };
}

export type PublicTicket = Awaited<ReturnType<typeof publicTicket>>;

function actorOf(ctx: ServiceContext) {
  return { actor_type: ctx.actor.type, actor_admin_id: ctx.actor.adminId, actor_name: ctx.actor.username?.slice(0, 128) ?? null };
}

async function lockTicket(trx: Knex.Transaction, ticketId: number): Promise<TicketRow> {
  const t = (await forUpdate(trx, trx('tickets').where({ id: ticketId })).first()) as TicketRow | undefined;
  if (!t) throw new AppError('ticket_not_found', `No ticket with id ${ticketId}.`, 404);
  return t;
}

async function recordChanges(trx: Knex.Transaction, ctx: ServiceContext, ticketId: number, changes: Array<[string, unknown, unknown]>, now: string) {
  const rows = changes.map(([field, from, to]) => ({
    ticket_id: ticketId,
    field,
    old_value: from === null || from === undefined ? null : String(from).slice(0, 191),
    new_value: to === null || to === undefined ? null : String(to).slice(0, 191),
    ...actorOf(ctx),
    created_at: now,
  }));
  if (rows.length) await trx('ticket_history').insert(rows);
}

/** Fields that a status change stamps, so resolved_at/closed_at always tell when the ticket last got there. */
function statusStamps(to: TicketStatus, now: string): Partial<TicketRow> {
  return {
    status: to,
    resolved_at: to === 'resolved' ? now : to === 'closed' ? undefined : null,
    closed_at: to === 'closed' ? now : null,
  } as Partial<TicketRow>;
}

/** Applies changes to a ticket under its row lock, writes history and emits ticket.updated; no change, no event. */
async function change(
  ctx: ServiceContext,
  ticketId: number,
  decide: (t: TicketRow, trx: Knex.Transaction) => Promise<Partial<TicketRow>> | Partial<TicketRow>,
  extraHistory: Array<[string, unknown, unknown]> = [],
) {
  return ctx.db.transaction(async (trx) => {
    const cur = await lockTicket(trx, ticketId);
    const patch = await decide(cur, trx);
    const now = nowUtc();
    const changed: Array<[string, unknown, unknown]> = [];
    for (const [k, v] of Object.entries(patch)) {
      if (v === undefined) continue;
      const before = (cur as unknown as Record<string, unknown>)[k];
      if (k === 'resolved_at' || k === 'closed_at') continue; // stamps, not changes a person made
      if (before !== v) changed.push([k === 'assigned_admin_id' ? 'assigned_to' : k, before, v]);
    }
    const clean = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined));
    if (!changed.length && !extraHistory.length) return { ticket: await publicTicket(trx, cur), changed: false };
    await trx('tickets').where({ id: ticketId }).update({ ...clean, updated_at: now });
    await recordChanges(trx, ctx, ticketId, [...changed, ...extraHistory], now);
    const after = (await trx('tickets').where({ id: ticketId }).first()) as TicketRow;
    const out = await publicTicket(trx, after);
    await emit(trx, 'ticket.updated', { ...out, changes: [...changed, ...extraHistory].map(([field, from, to]) => ({ field, from, to })) });
    return { ticket: out, changed: true };
  });
}

export interface CreateInput {
  username?: string;
  subject: string;
  body: string;
  category?: string;
  priority?: Priority;
  channel?: string;
}

function checkFiles(files: UploadedFile[]) {
  return files.map((f) => {
    if (f.size > MAX_ATTACHMENT_BYTES)
      throw new AppError('attachment_too_large', `"${f.originalName.slice(0, 100)}" is larger than ${MAX_ATTACHMENT_BYTES / 1024 / 1024} MB.`, 413, { details: { attachments: 'too large' } });
    const type = ATTACHMENT_TYPES.find((t) => t.test(f.buffer, (f.mimeType || '').toLowerCase()));
    if (!type)
      throw new AppError('invalid_attachment_type', `"${f.originalName.slice(0, 100)}" is not a PNG, JPEG, GIF, WebP, PDF or plain-text file.`, 422, { details: { attachments: 'unsupported type' } });
    return { f, mime: type.mime };
  });
}

async function storeFiles(ctx: ServiceContext, checked: ReturnType<typeof checkFiles>) {
  const dir = path.join(ctx.config.dataDir, 'tickets', ctx.tenant.slug);
  if (checked.length) await fs.mkdir(dir, { recursive: true });
  const out = [];
  for (const { f, mime } of checked) {
    const sha = crypto.createHash('sha256').update(f.buffer).digest('hex');
    const rel = path.join('tickets', ctx.tenant.slug, sha);
    await fs.writeFile(path.join(ctx.config.dataDir, rel), f.buffer);
    const name = path.basename(f.originalName || 'attachment').replace(/[\u0000-\u001f/\\]/g, '_').slice(0, 191) || 'attachment';
    out.push({ filename: name, mime_type: mime, size: f.size, sha256: sha, path: rel });
  }
  return out;
}

export async function createTicket(ctx: ServiceContext, input: CreateInput, uploads: UploadedFile[] = []) {
  const files = await storeFiles(ctx, checkFiles(uploads));
  return ctx.db.transaction(async (trx) => {
    let customerId: number | null = null;
    if (input.username) {
      const c = await requireCustomer(trx, { username: input.username });
      customerId = c.id;
    }
    const now = nowUtc();
    const [newId] = await trx('tickets').insert({
      customer_id: customerId,
      subject: input.subject,
      status: 'open',
      priority: input.priority ?? 'normal',
      category: input.category ?? null,
      channel: input.channel ?? 'api',
      assigned_admin_id: null,
      created_by: ctx.actor.username?.slice(0, 128) ?? null,
      created_at: now,
      updated_at: now,
    });
    const ticketId = Number(newId);
    const [msgId] = await trx('ticket_messages').insert({
      ticket_id: ticketId,
      kind: 'message',
      body: input.body,
      author_type: customerId && input.channel && input.channel !== 'api' && input.channel !== 'panel' ? 'customer' : 'admin',
      author_admin_id: ctx.actor.adminId,
      author_name: ctx.actor.username?.slice(0, 128) ?? null,
      created_at: now,
    });
    if (files.length) await trx('ticket_attachments').insert(files.map((f) => ({ ...f, ticket_id: ticketId, message_id: Number(msgId), created_at: now })));
    await recordChanges(trx, ctx, ticketId, [['created', null, 'open']], now);
    const out = await publicTicket(trx, (await trx('tickets').where({ id: ticketId }).first()) as TicketRow);
    await emit(trx, 'ticket.created', out);
    return { ...out, attachments: await attachmentsOf(trx, Number(msgId)) };
  });
}

/**
 * A public reply or an internal note. A public reply on a resolved or closed ticket reopens it (status open, with a
 * history row saying so); a note never changes the status.
 */
export async function replyTicket(ctx: ServiceContext, ticketId: number, body: string, internal: boolean, uploads: UploadedFile[] = []) {
  const files = await storeFiles(ctx, checkFiles(uploads));
  return ctx.db.transaction(async (trx) => {
    const cur = await lockTicket(trx, ticketId);
    const now = nowUtc();
    const [msgId] = await trx('ticket_messages').insert({
      ticket_id: ticketId,
      kind: internal ? 'note' : 'reply',
      body,
      author_type: ctx.actor.type === 'system' ? 'system' : 'admin',
      author_admin_id: ctx.actor.adminId,
      author_name: ctx.actor.username?.slice(0, 128) ?? null,
      created_at: now,
    });
    if (files.length) await trx('ticket_attachments').insert(files.map((f) => ({ ...f, ticket_id: ticketId, message_id: Number(msgId), created_at: now })));
    const history: Array<[string, unknown, unknown]> = [[internal ? 'note' : 'reply', null, String(msgId)]];
    const patch: Record<string, unknown> = { updated_at: now };
    if (!internal && (cur.status === 'closed' || cur.status === 'resolved')) {
      Object.assign(patch, statusStamps('open', now));
      history.push(['status', cur.status, 'open']);
    }
    await trx('tickets').where({ id: ticketId }).update(patch);
    await recordChanges(trx, ctx, ticketId, history, now);
    const out = await publicTicket(trx, (await trx('tickets').where({ id: ticketId }).first()) as TicketRow);
    await emit(trx, 'ticket.updated', { ...out, changes: history.map(([field, from, to]) => ({ field, from, to })) });
    return {
      ticket: out,
      message: { id: Number(msgId), kind: internal ? 'note' : 'reply', body, author: ctx.actor.username, created_at: toIso(now), attachments: await attachmentsOf(trx, Number(msgId)) },
      reopened: history.some(([f]) => f === 'status'),
      customer_id: cur.customer_id,
    };
  });
}

export async function setStatus(ctx: ServiceContext, ticketId: number, to: TicketStatus) {
  const r = await change(ctx, ticketId, (t) => {
    if (t.status === to) return {};
    if (!canTransition(t.status, to))
      throw new AppError('invalid_transition', `A ${t.status} ticket cannot become ${to}${t.status === 'closed' ? ' (reopen it as open or in_progress first)' : ''}.`, 409);
    return statusStamps(to, nowUtc());
  });
  return { ...r.ticket, changed: r.changed };
}

export async function closeTicket(ctx: ServiceContext, ticketId: number) {
  const r = await change(ctx, ticketId, (t) => {
    if (t.status === 'closed') throw new AppError('ticket_already_closed', `Ticket ${ticketId} is already closed.`, 409);
    return statusStamps('closed', nowUtc());
  });
  return r.ticket;
}

export async function setPriority(ctx: ServiceContext, ticketId: number, priority: Priority) {
  const r = await change(ctx, ticketId, () => ({ priority }));
  return { ...r.ticket, changed: r.changed };
}

/** `admin` is an id or a username; null unassigns. The assignee must hold tickets.write. */
export async function assignTicket(ctx: ServiceContext, ticketId: number, admin: string | null) {
  let adminId: number | null = null;
  if (admin !== null) {
    const q = /^\d+$/.test(admin) ? ctx.db('admins').where({ id: Number(admin) }) : ctx.db('admins').where({ username: admin });
    const row = (await q.first()) as AdminRow | undefined;
    if (!row) throw new AppError('admin_not_found', `No admin "${admin.slice(0, 64)}".`, 404);
    if (!allows(effectivePermissions(row), 'tickets', 'write'))
      throw new AppError('assignee_not_permitted', `The admin "${row.username}" does not hold tickets.write and cannot be assigned tickets.`, 422);
    adminId = row.id;
  }
  const r = await change(ctx, ticketId, () => ({ assigned_admin_id: adminId }));
  return { ...r.ticket, changed: r.changed };
}

export async function deleteTicket(ctx: ServiceContext, ticketId: number) {
  const files = await ctx.db.transaction(async (trx) => {
    await lockTicket(trx, ticketId);
    const paths = (await trx('ticket_attachments').where({ ticket_id: ticketId }).select('path', 'sha256')) as Array<{ path: string; sha256: string }>;
    await trx('tickets').where({ id: ticketId }).delete();
    // Attachments are stored by content hash: a file still referenced by another ticket stays.
    const still = new Set(
      paths.length ? ((await trx('ticket_attachments').whereIn('sha256', paths.map((p) => p.sha256)).select('sha256')) as Array<{ sha256: string }>).map((r) => r.sha256) : [],
    );
    return paths.filter((p) => !still.has(p.sha256)).map((p) => p.path);
  });
  for (const rel of new Set(files)) await fs.rm(path.join(ctx.config.dataDir, rel), { force: true }).catch(() => undefined);
  return { id: ticketId, deleted: true };
}

/** A message's attachments as get_ticket lists them; `id` is what ticket_attachment downloads. */
async function attachmentsOf(db: Knex, messageId: number) {
  const rows = await db('ticket_attachments').where({ message_id: messageId }).orderBy('id');
  return rows.map((a) => ({ id: a.id, filename: a.filename, mime_type: a.mime_type, size: Number(a.size) }));
}

/**
 * One attachment's bytes with its stored type. The file is looked for only under this tenant's attachment folder,
 * whatever the row says, so one tenant's rows can never read another's files.
 */
export async function ticketAttachment(ctx: ServiceContext, attachmentId: number) {
  const { a, file } = await attachmentFile(ctx, attachmentId);
  let content: Buffer;
  try {
    content = await fs.readFile(file);
  } catch {
    throw new AppError('attachment_not_found', `The file of attachment ${attachmentId} is missing from the attachment store.`, 404);
  }
  return {
    id: Number(a.id),
    ticket_id: Number(a.ticket_id),
    message_id: Number(a.message_id),
    filename: String(a.filename),
    content_type: String(a.mime_type),
    size: content.length,
    sha256: String(a.sha256),
    content_disposition: contentDisposition(String(a.filename)),
    content,
  };
}

/** The same attachment as a file the gateway streams with its own Content-Type and Content-Disposition. */
export async function ticketAttachmentDownload(ctx: ServiceContext, attachmentId: number): Promise<Download> {
  const { a, file } = await attachmentFile(ctx, attachmentId);
  const st = await fs.stat(file).catch(() => null);
  if (!st?.isFile()) throw new AppError('attachment_not_found', `The file of attachment ${attachmentId} is missing from the attachment store.`, 404);
  return new Download(file, String(a.filename), String(a.mime_type), st.size, String(a.sha256));
}

async function attachmentFile(ctx: ServiceContext, attachmentId: number) {
  const a = await ctx.db('ticket_attachments').where({ id: attachmentId }).first();
  if (!a) throw new AppError('attachment_not_found', `No ticket attachment with id ${attachmentId}.`, 404);
  const dir = path.resolve(ctx.config.dataDir, 'tickets', ctx.tenant.slug);
  const file = path.resolve(ctx.config.dataDir, String(a.path));
  if (path.dirname(file) !== dir) throw new AppError('attachment_not_found', `The file of attachment ${attachmentId} is not in this installation's attachment store.`, 404);
  return { a, file };
}

export async function getTicket(ctx: ServiceContext, ticketId: number) {
  const t = (await ctx.db('tickets').where({ id: ticketId }).first()) as TicketRow | undefined;
  if (!t) throw new AppError('ticket_not_found', `No ticket with id ${ticketId}.`, 404);
  const messages = await ctx.db('ticket_messages').where({ ticket_id: ticketId }).orderBy('id');
  const attachments = await ctx.db('ticket_attachments').where({ ticket_id: ticketId }).orderBy('id');
  const history = await ctx.db('ticket_history').where({ ticket_id: ticketId }).orderBy('id');
  return {
    ...(await publicTicket(ctx.db, t)),
    messages: messages.map((m) => ({
      id: m.id,
      kind: m.kind,
      body: m.body,
      author_type: m.author_type,
      author: m.author_name,
      created_at: toIso(m.created_at),
      attachments: attachments.filter((a) => a.message_id === m.id).map((a) => ({ id: a.id, filename: a.filename, mime_type: a.mime_type, size: Number(a.size) })),
    })),
    history: history.map((h) => ({
      field: h.field,
      from: h.old_value,
      to: h.new_value,
      actor: { type: h.actor_type, admin_id: h.actor_admin_id, name: h.actor_name },
      at: toIso(h.created_at),
    })),
  };
}

export interface ListInput {
  page: number;
  per_page: number;
  status?: TicketStatus;
  priority?: Priority;
  /** Admin id or username; "none" for unassigned tickets. */
  assignee?: string;
  username?: string;
  search?: string;
}

export async function listTickets(ctx: ServiceContext, f: ListInput) {
  const q = ctx.db('tickets as t');
  if (f.status) q.where('t.status', f.status);
  if (f.priority) q.where('t.priority', f.priority);
  if (f.assignee) {
    if (f.assignee === 'none') q.whereNull('t.assigned_admin_id');
    else if (/^\d+$/.test(f.assignee)) q.where('t.assigned_admin_id', Number(f.assignee));
    else q.whereIn('t.assigned_admin_id', ctx.db('admins').where({ username: f.assignee }).select('id'));
  }
  if (f.username) q.whereIn('t.customer_id', ctx.db('customers').where({ username: f.username }).select('id'));
  if (f.search) {
    const pat = containsPattern(f.search);
    q.where((w) =>
      w
        .whereRaw(`t.subject LIKE ? ${LIKE_ESCAPE}`, [pat])
        .orWhereExists(ctx.db('ticket_messages as m').whereRaw('m.ticket_id = t.id').whereRaw(`m.body LIKE ? ${LIKE_ESCAPE}`, [pat])),
    );
  }
  const [{ n }] = (await q.clone().count({ n: '*' })) as Array<{ n: number | string }>;
  const rows = (await q.orderBy('t.id', 'desc').limit(f.per_page).offset((f.page - 1) * f.per_page).select('t.*')) as TicketRow[];
  const items = [];
  for (const r of rows) items.push(await publicTicket(ctx.db, r));
  return Page.of(items, f.page, f.per_page, Number(n));
}

/** The subscriber's most recent tickets, for get_customer. */
export async function ticketsOfCustomer(db: Knex, customerId: number, limit = 50) {
  const rows = await db('tickets').where({ customer_id: customerId }).orderBy('id', 'desc').limit(limit);
  return rows.map((t) => ({ id: t.id, subject: t.subject, status: t.status, priority: t.priority, created_at: toIso(t.created_at), updated_at: toIso(t.updated_at) }));
}

