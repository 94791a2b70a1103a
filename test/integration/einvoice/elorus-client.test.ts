import { ElorusClient } from '../../../src/adapters/elorus/elorus-client';
import { elorusContactPayload, elorusInvoicePayload, ElorusMapping } from '../../../src/adapters/elorus/elorus-invoice';
import { FakeElorusServer } from '../../fakes/elorus-server';
import { businessInvoice, consumerReceipt, BUSINESS_AFM } from '../../unit/einvoice/fixtures';

describe('Elorus client against the fake Elorus API', () => {
  let fake: FakeElorusServer;
  let client: ElorusClient;
  const mapping: ElorusMapping = { taxIds: { '24': '101', '13': '102', '0': '103' }, documentTypes: { '2.1': '9001', '11.2': '9002' } };

  beforeEach(async () => {
    fake = await new FakeElorusServer().start();
    client = new ElorusClient({ baseUrl: fake.baseUrl, apiKey: fake.apiKey, organizationId: fake.organizationId, demo: true });
  });
  afterEach(() => fake.stop());

  it('creates a business contact, finds it again by VAT number, and sends the auth headers', async () => {
    const created = await client.createContact(elorusContactPayload({ customId: 'cust-7', name: 'ACME AE', vatNumber: BUSINESS_AFM, address: { street: 'Ermou 10', postalCode: '10563', city: 'Athens' } }));
    expect(fake.contacts[0]).toMatchObject({ client_type: 1, vat_number: BUSINESS_AFM, custom_id: 'cust-7', addresses: [{ zip: '10563', country: 'GR' }] });
    expect((await client.findContact({ vatNumber: BUSINESS_AFM }))?.id).toBe(created.id);
    expect(await client.findContact({ vatNumber: '094019245' })).toBeNull();
    const req = fake.requests[0];
    expect(req.headers.authorization).toBe(`Token ${fake.apiKey}`);
    expect(req.headers['x-elorus-organization']).toBe(fake.organizationId);
    expect(req.headers['x-elorus-demo']).toBe('true');
  });

  it('issues a 2.1 with myDATA fields and reads back MARK and status', async () => {
    const contact = await client.createContact(elorusContactPayload({ customId: 'cust-7', name: 'ACME AE', vatNumber: BUSINESS_AFM }));
    const inv = await client.createInvoice(elorusInvoicePayload(businessInvoice(), contact.id, 'ispgate:invoice:1', mapping, false));
    expect(inv).toMatchObject({ mydata_submission_status: 'sent', mydata_document_type: '2.1', total: '37.20', paid_on_receipt: '0' });
    expect(inv.mydata_latest_mark).toMatch(/^\d{15}$/);
    expect(fake.requests.at(-1)!.body.items[0]).toMatchObject({ unit_value: '30.00', taxes: [{ tax: '101' }], accounts: [{ mydata_classification_type: 'E3_561_001', mydata_classification_category: 'category1_3', amount: '30.00' }] });
    expect((await client.findInvoiceByCustomId('ispgate:invoice:1'))?.id).toBe(inv.id);
    expect((await client.getInvoice(inv.id)).mydata_latest_mark).toBe(inv.mydata_latest_mark);
  });

  it('a receipt issued while myDATA is down comes back without MARK and gets it later', async () => {
    const contact = await client.createContact(elorusContactPayload({ customId: 'cust-8', name: 'Maria P' }));
    expect(fake.contacts[0].client_type).toBe(4);
    fake.holdMyData();
    const inv = await client.createInvoice(elorusInvoicePayload(consumerReceipt(), contact.id, 'ispgate:invoice:2', mapping, true));
    expect(inv).toMatchObject({ mydata_submission_status: 'not_sent', mydata_latest_mark: null, paid_on_receipt: '0' });
    fake.releaseMyData();
    expect((await client.getInvoice(inv.id)).mydata_submission_status).toBe('sent');
  });

  it('field errors become elorus_rejected with the fields named; bad keys become elorus_unauthorized', async () => {
    await expect(client.createInvoice({ client: 'nope', date: '2026-01-15', items: [] })).rejects.toMatchObject({ code: 'elorus_rejected', message: expect.stringContaining('client') });
    const bad = new ElorusClient({ baseUrl: fake.baseUrl, apiKey: 'wrong', organizationId: fake.organizationId });
    await expect(bad.findContact({ vatNumber: BUSINESS_AFM })).rejects.toMatchObject({ code: 'elorus_unauthorized' });
    const otherOrg = new ElorusClient({ baseUrl: fake.baseUrl, apiKey: fake.apiKey, organizationId: '1' });
    await expect(otherOrg.findContact({ vatNumber: BUSINESS_AFM })).rejects.toMatchObject({ code: 'elorus_unauthorized' });
  });

  it('the payload refuses what Elorus cannot take here', () => {
    expect(() => elorusInvoicePayload(businessInvoice({ kind: 'credit_note', correlatedMark: '1' }), '1', 'x', mapping, false)).toThrow(expect.objectContaining({ code: 'einvoice_type_not_supported_by_provider' }));
    expect(() => elorusInvoicePayload(businessInvoice(), '1', 'x', { taxIds: {}, documentTypes: mapping.documentTypes }, false)).toThrow(expect.objectContaining({ code: 'elorus_not_configured' }));
    const paid = elorusInvoicePayload(businessInvoice({ paymentType: 6 }), '1', 'x', mapping, true);
    expect(paid).toMatchObject({ paid_on_receipt: '37.20', payment_method: '6' });
  });

  it('voiding reads back the cancellation mark', async () => {
    const contact = await client.createContact(elorusContactPayload({ customId: 'c', name: 'X' }));
    const inv = await client.createInvoice(elorusInvoicePayload(consumerReceipt(), contact.id, 'v', mapping, false));
    const voided = await client.voidInvoice(inv.id);
    expect(voided.is_void).toBe(true);
    expect(voided.mydata_latest_cancel_mark).toMatch(/^\d{15}$/);
  });
});
