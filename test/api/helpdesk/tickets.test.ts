import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { makeTestApp, type TestApp } from '../../helpers/app';

let t: TestApp;

beforeAll(async () => {
  t = await makeTestApp();
  await t.call('add_plan', { name: 'FTTH 100', download: '100M', upload: '10M', price: '25' });
  await t.call('add', { username: 'maria', password: 'pw-123456', plan: 'FTTH 100', fullname: 'Maria K' });
  await t.call('add', { username: 'nikos', password: 'pw-123456', plan: 'FTTH 100' });
  await t.call('add_web_admin', { username: 'helen', password: 'helen-password-1', role: 'support' });
  await t.call('add_web_admin', { username: 'bill', password: 'bill-password-12', role: 'billing' });
});
afterAll(async () => t.close());

const events = async (name: string) => (await t.db('outbox_events').where({ event: name }).orderBy('id')).map((e) => JSON.parse(e.payload).data);
const history = async (ticketId: number) => (await t.db('ticket_history').where({ ticket_id: ticketId }).orderBy('id')).map((h) => [h.field, h.old_value, h.new_value, h.actor_name]);
const open = (fields: Record<string, unknown> = {}) => t.call('ticket_create', { username: 'maria', subject: 'No internet', body: 'The ONT light is red.', ...fields });

test('ticket_create opens a ticket for a subscriber, stores the first message and emits ticket.created', async () => {
  const r = await open({ priority: 'high', category: 'outage', channel: 'phone' });
  expect(r).toMatchObject({ ok: true, data: { id: expect.any(Number), status: 'open', priority: 'high', category: 'outage', channel: 'phone', customer: { username: 'maria' }, assigned_to: null } });
  const id = r.data.id;
  const row = await t.db('tickets').where({ id }).first();
  expect(row).toMatchObject({ subject: 'No internet', status: 'open', priority: 'high' });
  const msgs = await t.db('ticket_messages').where({ ticket_id: id });
  expect(msgs.map((m) => [m.kind, m.body])).toEqual([['message', 'The ONT light is red.']]);
  expect((await events('ticket.created')).map((e) => e.id)).toContain(id);
  expect(await history(id)).toEqual([['created', null, 'open', 'admin']]);
});

test('ticket_create without a subscriber, and its bad inputs', async () => {
  const r = await t.call('ticket_create', { subject: 'Fibre cut on Ermou', body: 'Crew dispatched.' });
  expect(r.ok).toBe(true);
  expect(r.data.customer).toBeNull();
  expect(r.data.priority).toBe('normal');
  expect((await t.call('ticket_create', { body: 'x' })).error).toBe('missing_subject');
  expect((await t.call('ticket_create', { subject: 'x', body: 'y', priority: 'critical' })).error).toBe('invalid_priority');
  expect((await t.call('ticket_create', { subject: 'x', body: 'y', username: 'ghost' })).error).toBe('customer_not_found');
  expect((await t.call('ticket_create', { subject: 'x'.repeat(192), body: 'y' })).error).toBe('invalid_subject');
});

test('attachments arrive as multipart files, typed by their bytes', async () => {
  const pdf = Buffer.from('%PDF-1.4\n%test\n');
  const res = await request(t.app)
    .post('/mikrotik/process.php')
    .set('Authorization', `Bearer ${t.key}`)
    .field('action', 'ticket_create')
    .field('subject', 'Invoice question')
    .field('body', 'See attached.')
    .attach('file', pdf, { filename: 'invoice.pdf', contentType: 'application/pdf' });
  expect(res.body).toMatchObject({ ok: true, data: { attachments: [{ filename: 'invoice.pdf', mime_type: 'application/pdf', size: pdf.length }] } });
  const att = await t.db('ticket_attachments').where({ ticket_id: res.body.data.id }).first();
  expect(fs.readFileSync(path.join(t.config.dataDir, att.path)).equals(pdf)).toBe(true);
  const got = await t.call('get_ticket', { id: res.body.data.id });
  expect(got.data.messages[0].attachments).toEqual([{ id: att.id, filename: 'invoice.pdf', mime_type: 'application/pdf', size: pdf.length }]);

  const bad = await request(t.app)
    .post('/mikrotik/process.php')
    .set('Authorization', `Bearer ${t.key}`)
    .field('action', 'ticket_create')
    .field('subject', 'x')
    .field('body', 'y')
    .attach('file', Buffer.from('MZ\x90\x00binary'), { filename: 'a.pdf', contentType: 'application/pdf' });
  expect(bad.body.error).toBe('invalid_attachment_type');
  expect(await t.db('tickets').where({ subject: 'x' }).first()).toBeUndefined();
});

test('ticket_status follows valid transitions only; ticket_close closes once', async () => {
  const id = (await open()).data.id;
  expect((await t.call('ticket_status', { id, status: 'in_progress' })).data).toMatchObject({ status: 'in_progress', changed: true });
  expect((await t.call('ticket_status', { id, status: 'in_progress' })).data.changed).toBe(false);
  expect((await t.call('ticket_status', { id, status: 'resolved' })).data.resolved_at).toEqual(expect.any(String));
  const closed = await t.call('ticket_close', { id });
  expect(closed.data).toMatchObject({ status: 'closed', closed_at: expect.any(String) });
  expect((await t.call('ticket_close', { id })).error).toBe('ticket_already_closed');
  // A closed ticket is not silently moved on: only an explicit reopen.
  expect((await t.call('ticket_status', { id, status: 'waiting' })).error).toBe('invalid_transition');
  expect((await t.db('tickets').where({ id }).first()).status).toBe('closed');
  expect((await t.call('ticket_status', { id, status: 'open' })).data).toMatchObject({ status: 'open', closed_at: null });
  expect((await t.call('ticket_status', { id, status: 'closed' })).error).toBe('invalid_status');
  expect((await t.call('ticket_status', { id: 999999, status: 'open' })).error).toBe('ticket_not_found');
  expect((await t.call('ticket_close', { id: 'abc' })).error).toBe('invalid_id');
  expect(await history(id)).toEqual([
    ['created', null, 'open', 'admin'],
    ['status', 'open', 'in_progress', 'admin'],
    ['status', 'in_progress', 'resolved', 'admin'],
    ['status', 'resolved', 'closed', 'admin'],
    ['status', 'closed', 'open', 'admin'],
  ]);
  const upd = (await events('ticket.updated')).filter((e) => e.id === id);
  expect(upd.map((e) => e.status)).toEqual(['in_progress', 'resolved', 'closed', 'open']);
});

test('ticket_reply: a public reply reopens a closed ticket, a note does not', async () => {
  const id = (await open()).data.id;
  await t.call('ticket_close', { id });
  const note = await t.call('ticket_reply', { id, body: 'Checked the OLT port.', internal: 1 });
  expect(note.data).toMatchObject({ message: { kind: 'note' }, reopened: false, ticket: { status: 'closed' } });
  const reply = await t.call('ticket_reply', { id, body: 'Please restart the ONT.' });
  expect(reply.data).toMatchObject({ message: { kind: 'reply', body: 'Please restart the ONT.' }, reopened: true, ticket: { status: 'open' } });
  const got = await t.call('get_ticket', { id });
  expect(got.data.messages.map((m: any) => m.kind)).toEqual(['message', 'note', 'reply']);
  expect(got.data.history.map((h: any) => h.field)).toEqual(['created', 'status', 'note', 'reply', 'status']);
  expect(got.data.history[4]).toMatchObject({ from: 'closed', to: 'open', actor: { name: 'admin' }, at: expect.any(String) });
  expect((await t.call('ticket_reply', { id, body: '' })).error).toBe('missing_body');
  expect((await t.call('ticket_reply', { id: 424242, body: 'x' })).error).toBe('ticket_not_found');
});

test('ticket_assign takes an admin id or username holding tickets.write', async () => {
  const id = (await open()).data.id;
  const r = await t.call('ticket_assign', { id, admin: 'helen' });
  expect(r.data).toMatchObject({ assigned_to: { username: 'helen' }, changed: true });
  const helen = await t.db('admins').where({ username: 'helen' }).first();
  expect((await t.db('tickets').where({ id }).first()).assigned_admin_id).toBe(helen.id);
  expect((await t.call('ticket_assign', { id, admin: String(helen.id) })).data.changed).toBe(false);
  expect((await t.call('ticket_assign', { id, admin: 'bill' })).error).toBe('assignee_not_permitted');
  expect((await t.call('ticket_assign', { id, admin: 'nobody' })).error).toBe('admin_not_found');
  expect((await t.call('ticket_assign', { id })).error).toBe('missing_admin');
  expect((await t.call('ticket_assign', { id, admin: '' })).data.assigned_to).toBeNull();
  expect((await history(id)).slice(1)).toEqual([
    ['assigned_to', null, String(helen.id), 'admin'],
    ['assigned_to', String(helen.id), null, 'admin'],
  ]);
});

test('ticket_priority and ticket_delete', async () => {
  const id = (await open()).data.id;
  expect((await t.call('ticket_priority', { id, priority: 'urgent' })).data).toMatchObject({ priority: 'urgent', changed: true });
  expect((await t.db('tickets').where({ id }).first()).priority).toBe('urgent');
  expect((await t.call('ticket_priority', { id, priority: 'asap' })).error).toBe('invalid_priority');
  expect((await t.call('ticket_priority', { id })).error).toBe('missing_priority');
  expect((await t.call('ticket_delete', { id })).data).toEqual({ id, deleted: true });
  expect(await t.db('tickets').where({ id }).first()).toBeUndefined();
  expect(await t.db('ticket_history').where({ ticket_id: id })).toHaveLength(0);
  expect((await t.call('ticket_delete', { id })).error).toBe('ticket_not_found');
  expect((await t.call('ticket_delete', {})).error).toBe('missing_id');
});

test('list_tickets filters and paginates with meta', async () => {
  const a = (await t.call('ticket_create', { username: 'nikos', subject: 'Slow speeds at night', body: 'Speedtest shows 3 Mbps', priority: 'low' })).data.id;
  await t.call('ticket_assign', { id: a, admin: 'helen' });
  const byUser = await t.call('list_tickets', { username: 'nikos' });
  expect(byUser.data.map((x: any) => x.id)).toEqual([a]);
  expect(byUser.meta).toMatchObject({ current_page: 1, total: 1 });
  expect((await t.call('list_tickets', { assignee: 'helen' })).data.map((x: any) => x.id)).toContain(a);
  expect((await t.call('list_tickets', { search: '3 Mbps' })).data.map((x: any) => x.id)).toEqual([a]);
  expect((await t.call('list_tickets', { priority: 'low' })).data.map((x: any) => x.id)).toEqual([a]);
  const all = await t.call('list_tickets', { per_page: 2, page: 2 }, { method: 'GET' });
  expect(all.meta).toMatchObject({ current_page: 2, per_page: 2 });
  expect(all.data).toHaveLength(2);
  expect(all.meta.total).toBe(await t.db('tickets').count({ n: '*' }).then((r) => Number(r[0].n)));
  expect((await t.call('list_tickets', { status: 'deleted' })).error).toBe('invalid_status');
  expect((await t.call('list_tickets', { per_page: 1000 })).error).toBe('invalid_per_page');
});

test('get_customer lists the subscriber’s tickets; deleting the subscriber keeps them anonymised', async () => {
  await t.call('add', { username: 'kostas', password: 'pw-123456', plan: 'FTTH 100' });
  const id = (await t.call('ticket_create', { username: 'kostas', subject: 'Router reset', body: 'Forgot wifi password' })).data.id;
  await t.call('ticket_close', { id });
  const c = await t.call('get_customer', { username: 'kostas' });
  expect(c.data.tickets).toEqual([expect.objectContaining({ id, subject: 'Router reset', status: 'closed' })]);
  expect((await t.call('delete', { username: 'kostas' })).ok).toBe(true);
  const row = await t.db('tickets').where({ id }).first();
  expect(row).toMatchObject({ customer_id: null, status: 'closed' });
  expect((await t.call('get_ticket', { id })).data.customer).toBeNull();
});

test('a caller without tickets rights is refused, support staff may', async () => {
  const k = await t.call('api_key_create', { name: 'bill-key', admin: 'bill' });
  expect((await t.call('list_tickets', {}, { key: k.data.key })).error).toBe('forbidden');
  expect((await t.call('ticket_create', { subject: 'x', body: 'y' }, { key: k.data.key })).error).toBe('forbidden');
  const h = await t.call('api_key_create', { name: 'helen-key', admin: 'helen' });
  expect((await t.call('get_ticket', { id: 1 }, { key: h.data.key })).data.id).toBe(1);
});
