import { makeTestApp, type TestApp } from '../../helpers/app';

let t: TestApp;
beforeAll(async () => {
  t = await makeTestApp();
});
afterAll(async () => t.close());

test('aade_lookup: an oversized afm is refused by the schema and not echoed back', async () => {
  const r = await t.call('aade_lookup', { afm: '1'.repeat(100_000) }, { json: true });
  expect(r).toMatchObject({ ok: false, error: 'invalid_afm' });
  expect(JSON.stringify(r).length).toBeLessThan(2000);
});

test('save_einvoice_settings: the Elorus id maps are bounded in entries and value length', async () => {
  const huge = Object.fromEntries(Array.from({ length: 500 }, (_, i) => [String(i), '101']));
  expect(await t.call('save_einvoice_settings', { elorus_tax_ids: huge }, { json: true })).toMatchObject({ ok: false, error: 'invalid_elorus_tax_ids' });
  expect(await t.call('save_einvoice_settings', { elorus_document_types: { '2.1': 'x'.repeat(100_000) } }, { json: true })).toMatchObject({ ok: false, error: 'invalid_elorus_document_types' });
  expect(await t.call('save_einvoice_settings', { elorus_tax_ids: { '24': '101', '13': '102' } })).toMatchObject({ ok: true, data: { elorus_tax_ids: { '24': '101', '13': '102' } } });
});
