import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { makeTestApp, type TestApp } from '../../helpers/app';

let t: TestApp;
const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from('IHDR-fake-image-bytes')]);
const PDF = Buffer.from('%PDF-1.4\n%reply\n');
const TXT = Buffer.from('Ο δρομολογητής αναβοσβήνει κόκκινο.\n');
const TXT_NAME = 'note;1.txt';
/** A name no browser would send (quote, semicolon, line break), set on the row directly. */
const GREEK_NAME = 'σημείωση "1";\r\nX-Evil: 1.txt';

beforeAll(async () => {
  t = await makeTestApp();
  await t.call('add_plan', { name: 'FTTH 100', download: '100M', upload: '10M', price: '25' });
  await t.call('add', { username: 'maria', password: 'pw-123456', plan: 'FTTH 100' });
  await t.call('add_web_admin', { username: 'reader', password: 'reader-password-1', permissions: { tickets: 'read' } });
  await t.call('add_web_admin', { username: 'biller', password: 'biller-password-1', role: 'billing' });
});
afterAll(async () => t.close());

const post = () => request(t.app).post('/mikrotik/process.php').set('Authorization', `Bearer ${t.key}`);
const keyFor = async (admin: string) => (await t.call('api_key_create', { name: `key-${admin}`, admin })).data.key as string;

test('attachments of ticket_create and ticket_reply are listed with ids and download with their type and name', async () => {
  const made = await post()
    .field('action', 'ticket_create')
    .field('username', 'maria')
    .field('subject', 'Router')
    .field('body', 'Photos attached.')
    .attach('file', PNG, { filename: 'router.png', contentType: 'image/png' })
    .attach('note', TXT, { filename: TXT_NAME, contentType: 'text/plain' });
  expect(made.body).toMatchObject({ ok: true });
  const ticketId = made.body.data.id;
  const [png, txt] = made.body.data.attachments;
  expect(made.body.data.attachments).toEqual([
    { id: expect.any(Number), filename: 'router.png', mime_type: 'image/png', size: PNG.length },
    { id: expect.any(Number), filename: TXT_NAME, mime_type: 'text/plain', size: TXT.length },
  ]);

  const reply = await post().field('action', 'ticket_reply').field('id', String(ticketId)).field('body', 'Your invoice.').attach('file', PDF, { filename: 'invoice.pdf', contentType: 'application/pdf' });
  expect(reply.body).toMatchObject({ ok: true, data: { message: { kind: 'reply', attachments: [{ id: expect.any(Number), filename: 'invoice.pdf', mime_type: 'application/pdf' }] } } });
  const pdf = reply.body.data.message.attachments[0];

  const ticket = (await t.call('get_ticket', { id: ticketId }, { method: 'GET' })).data;
  expect(ticket.messages.map((m: any) => m.attachments.map((a: any) => a.id))).toEqual([[png.id, txt.id], [pdf.id]]);

  const got = await t.call('ticket_attachment', { id: png.id }, { method: 'GET' });
  expect(got).toMatchObject({ ok: true, data: { id: png.id, ticket_id: ticketId, filename: 'router.png', content_type: 'image/png', size: PNG.length, content_disposition: 'attachment; filename="router.png"; filename*=UTF-8\'\'router.png' } });
  expect(Buffer.from(got.data.content_base64, 'base64').equals(PNG)).toBe(true);

  const note = (await t.call('ticket_attachment', { id: txt.id })).data;
  expect(note).toMatchObject({ filename: TXT_NAME, content_type: 'text/plain', content_disposition: 'attachment; filename="note_1.txt"; filename*=UTF-8\'\'note%3B1.txt' });
  expect(Buffer.from(note.content_base64, 'base64').toString('utf8')).toBe(TXT.toString('utf8'));
  // A Greek name with a quote, a semicolon and a line break: an ASCII fallback that cannot end the value or start
  // another header, and the real name in filename*.
  await t.db('ticket_attachments').where({ id: txt.id }).update({ filename: GREEK_NAME });
  const cd = (await t.call('ticket_attachment', { id: txt.id })).data.content_disposition as string;
  expect(cd).toBe(`attachment; filename="________ _1____X-Evil: 1.txt"; filename*=UTF-8''${encodeURIComponent(GREEK_NAME)}`);
  expect(cd).not.toMatch(/[\r\n]/);
  expect(decodeURIComponent(/filename\*=UTF-8''(.+)$/.exec(cd)![1])).toBe(GREEK_NAME);

  const bytes = Buffer.from((await t.call('ticket_attachment', { id: pdf.id })).data.content_base64, 'base64');
  expect(bytes.equals(PDF)).toBe(true);
});

test('ticket_attachment: unknown ids, bad ids, rights and files outside the tenant’s store', async () => {
  expect(await t.call('ticket_attachment', { id: 999999 })).toMatchObject({ ok: false, error: 'attachment_not_found' });
  expect(await t.call('ticket_attachment', { id: 'abc' })).toMatchObject({ ok: false, error: 'invalid_id' });
  expect(await t.call('ticket_attachment', {})).toMatchObject({ ok: false, error: 'missing_id' });
  expect(await t.call('get_ticket', { id: 999999 }, { method: 'GET' })).toMatchObject({ ok: false, error: 'ticket_not_found' });
  expect(await t.call('get_ticket', { id: '1;drop' })).toMatchObject({ ok: false, error: 'invalid_id' });

  const made = await post().field('action', 'ticket_create').field('subject', 'Scan').field('body', 'x').attach('file', PDF, { filename: 'scan.pdf', contentType: 'application/pdf' });
  const att = made.body.data.attachments[0];
  // tickets.read is enough; an admin without it is refused.
  expect((await t.call('ticket_attachment', { id: att.id }, { key: await keyFor('reader') })).data.filename).toBe('scan.pdf');
  expect(await t.call('ticket_attachment', { id: att.id }, { key: await keyFor('biller') })).toMatchObject({ ok: false, error: 'forbidden' });

  // A row pointing outside this tenant's attachment folder (another tenant's, or anywhere else) reads nothing.
  const other = path.join(t.config.dataDir, 'tickets', 'other-tenant');
  fs.mkdirSync(other, { recursive: true });
  fs.writeFileSync(path.join(other, 'secret'), 'other tenant');
  for (const p of [path.join('tickets', 'other-tenant', 'secret'), path.join('tickets', '..', 'tickets', 'other-tenant', 'secret'), '../../etc/passwd']) {
    await t.db('ticket_attachments').where({ id: att.id }).update({ path: p });
    const r = await t.call('ticket_attachment', { id: att.id });
    expect(r).toMatchObject({ ok: false, error: 'attachment_not_found' });
    expect(JSON.stringify(r)).not.toContain(Buffer.from('other tenant').toString('base64'));
  }
  // The row is right but the file went missing from disk.
  const store = path.dirname((await t.db('ticket_attachments').whereNot({ id: att.id }).first()).path); // tickets/<tenant>
  await t.db('ticket_attachments').where({ id: att.id }).update({ path: path.join(store, 'f'.repeat(64)) });
  expect(await t.call('ticket_attachment', { id: att.id })).toMatchObject({ ok: false, error: 'attachment_not_found' });

  // Deleting the ticket takes its attachments with it.
  await t.call('ticket_delete', { id: made.body.data.id });
  expect(await t.call('ticket_attachment', { id: att.id })).toMatchObject({ ok: false, error: 'attachment_not_found' });
});

test('a Greek file name survives the upload, and download=1 answers the file itself with its type and name', async () => {
  const name = 'φωτογραφία ρούτερ.png';
  const made = await post()
    .field('action', 'ticket_create')
    .field('username', 'maria')
    .field('subject', 'Φωτογραφία')
    .field('body', 'Συνημμένη.')
    .attach('file', PNG, { filename: name, contentType: 'image/png' });
  expect(made.body).toMatchObject({ ok: true, data: { attachments: [{ filename: name, mime_type: 'image/png' }] } });
  const att = made.body.data.attachments[0];

  const file = await request(t.app)
    .get(`/mikrotik/process.php?action=ticket_attachment&id=${att.id}&download=1`)
    .set('Authorization', `Bearer ${t.key}`)
    .buffer(true)
    .parse((res, cb) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => cb(null, Buffer.concat(chunks)));
    });
  expect(file.status).toBe(200);
  expect(file.headers['content-type']).toBe('image/png');
  expect(file.headers['content-disposition']).toBe(`attachment; filename="${name.replace(/[^\x20-\x7e]/g, '_')}"; filename*=UTF-8''${encodeURIComponent(name)}`);
  expect((file.body as Buffer).equals(PNG)).toBe(true);

  const missing = await request(t.app).get('/mikrotik/process.php?action=ticket_attachment&id=999999&download=1').set('Authorization', `Bearer ${t.key}`);
  expect(missing.body).toMatchObject({ ok: false, error: 'attachment_not_found' });
});
