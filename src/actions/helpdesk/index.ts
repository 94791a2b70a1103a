import { z } from 'zod';
import { AppError } from '../../errors';
import { defineAction } from '../../gateway/action';
import { blank, clearableText, id, optionalBool, optionalText, page, perPage, text } from '../../gateway/fields';
import {
  assignTicket,
  CHANNELS,
  closeTicket,
  createTicket,
  deleteTicket,
  getTicket,
  listTickets,
  PRIORITIES,
  replyTicket,
  SETTABLE_STATUSES,
  setPriority,
  setStatus,
  TICKET_STATUSES,
  ticketAttachment,
  ticketAttachmentDownload,
} from '../../services/helpdesk/tickets';

const lower = (v: unknown) => (typeof v === 'string' ? v.trim().toLowerCase() : v);
const body = z.string().trim().min(1).max(20_000);

export const ticketCreate = defineAction({
  name: 'ticket_create',
  section: 'tickets',
  summary: 'Open a support ticket (optionally for a subscriber), with attachments as multipart files (PNG/JPEG/GIF/WebP/PDF/text, 5 MB each)',
  input: z.object({
    username: optionalText(64),
    subject: text(191),
    body,
    category: optionalText(64),
    priority: z.preprocess((v) => lower(blank(v)), z.enum(PRIORITIES).optional()),
    channel: z.preprocess((v) => lower(blank(v)), z.enum(CHANNELS).optional()),
  }),
  permission: 'tickets.write',
  rateClass: 'standard',
  run: (ctx, input) => createTicket(ctx, input, ctx.files),
});

export const ticketReply = defineAction({
  name: 'ticket_reply',
  section: 'tickets',
  summary: 'Add a public reply (reopens a resolved or closed ticket) or an internal note (internal=1) to a ticket',
  input: z.object({ id, body, internal: optionalBool }),
  permission: 'tickets.write',
  rateClass: 'standard',
  async run(ctx, input) {
    const r = await replyTicket(ctx, input.id, input.body, input.internal ?? false, ctx.files);
    return { ticket: r.ticket, message: r.message, reopened: r.reopened };
  },
});

export const ticketClose = defineAction({
  name: 'ticket_close',
  section: 'tickets',
  summary: 'Close a support ticket',
  input: z.object({ id }),
  permission: 'tickets.write',
  rateClass: 'standard',
  run: (ctx, input) => closeTicket(ctx, input.id),
});

export const ticketStatus = defineAction({
  name: 'ticket_status',
  section: 'tickets',
  summary: 'Update ticket status (open, in_progress, waiting, resolved); a closed ticket may be reopened as open or in_progress',
  input: z.object({ id, status: z.preprocess(lower, z.enum(SETTABLE_STATUSES)) }),
  permission: 'tickets.write',
  rateClass: 'standard',
  run: (ctx, input) => setStatus(ctx, input.id, input.status),
});

export const ticketAssign = defineAction({
  name: 'ticket_assign',
  section: 'tickets',
  summary: 'Assign ticket to admin/staff member (admin id or username holding tickets.write; admin="" unassigns)',
  input: z.object({ id, admin: clearableText(64), admin_id: z.preprocess(blank, z.coerce.number().int().positive().optional()) }),
  permission: 'tickets.write',
  rateClass: 'standard',
  async run(ctx, input) {
    const who = input.admin_id !== undefined ? String(input.admin_id) : input.admin;
    if (who === undefined) throw new AppError('missing_admin', 'The field "admin" (admin id or username, or "" to unassign) is required.', 422, { details: { admin: 'required' } });
    return assignTicket(ctx, input.id, who);
  },
});

export const ticketPriority = defineAction({
  name: 'ticket_priority',
  section: 'tickets',
  summary: 'Set ticket priority (low, normal, high, urgent)',
  input: z.object({ id, priority: z.preprocess(lower, z.enum(PRIORITIES)) }),
  permission: 'tickets.write',
  rateClass: 'standard',
  run: (ctx, input) => setPriority(ctx, input.id, input.priority),
});

export const ticketDelete = defineAction({
  name: 'ticket_delete',
  section: 'tickets',
  summary: 'Delete a support ticket with its thread, history and attachments',
  input: z.object({ id }),
  permission: 'tickets.write',
  rateClass: 'standard',
  run: (ctx, input) => deleteTicket(ctx, input.id),
});

export const listTicketsAction = defineAction({
  name: 'list_tickets',
  section: 'tickets',
  summary: 'Tickets, newest first, paginated; filter by status, priority, assignee (id, username or "none"), subscriber username; search subject and thread',
  input: z.object({
    page,
    per_page: perPage(100, 25),
    status: z.preprocess((v) => lower(blank(v)), z.enum(TICKET_STATUSES).optional()),
    priority: z.preprocess((v) => lower(blank(v)), z.enum(PRIORITIES).optional()),
    assignee: optionalText(64),
    username: optionalText(64),
    search: optionalText(100),
  }),
  permission: 'tickets.read',
  rateClass: 'standard',
  methods: ['GET', 'POST'],
  run: (ctx, input) => listTickets(ctx, input),
});

export const getTicketAction = defineAction({
  name: 'get_ticket',
  section: 'tickets',
  summary: 'One ticket with its thread (replies, notes, attachments) and the history of every change',
  input: z.object({ id }),
  permission: 'tickets.read',
  rateClass: 'standard',
  methods: ['GET', 'POST'],
  run: (ctx, input) => getTicket(ctx, input.id),
});

/**
 * The envelope is JSON, so the file travels base64-encoded as invoice_pdf's PDF does, with its stored type and a
 * ready Content-Disposition value for the panel to save it under.
 */
export const ticketAttachmentAction = defineAction({
  name: 'ticket_attachment',
  section: 'tickets',
  summary: 'Download a ticket attachment (id from get_ticket): file name, stored content type, size, a safe Content-Disposition and the bytes as base64; with download=1 the file itself (its own Content-Type, Content-Disposition: attachment, X-Checksum-Sha256)',
  input: z.object({ id, download: optionalBool }),
  permission: 'tickets.read',
  rateClass: 'standard',
  methods: ['GET', 'POST'],
  async run(ctx, input) {
    if (input.download) return ticketAttachmentDownload(ctx, input.id);
    const { content, ...meta } = await ticketAttachment(ctx, input.id);
    return { ...meta, content_base64: content.toString('base64') };
  },
});

export const helpdeskActions = [ticketCreate, ticketReply, ticketClose, ticketStatus, ticketAssign, ticketPriority, ticketDelete, listTicketsAction, getTicketAction, ticketAttachmentAction];
