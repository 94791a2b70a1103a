import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseAfmResponse, RgWsPublicClient } from '../../../src/adapters/aade/rgwspublic-client';
import { FakeRgWsPublicServer } from '../../fakes/rgwspublic-server';

describe('RgWsPublic2 VAT lookup', () => {
  let fake: FakeRgWsPublicServer;
  const client = () => new RgWsPublicClient({ url: fake.url, username: 'ISPGATE1', password: 'S3cret!pass' });

  beforeEach(async () => { fake = await new FakeRgWsPublicServer().start(); });
  afterEach(() => fake.stop());

  it('sends a SOAP 1.2 envelope with the UsernameToken and reads name, DOY, address and activities', async () => {
    const r = await client().lookup('EL 090165560');
    expect(r).toMatchObject({
      afm: '090165560',
      name: 'ΠΑΡΑΔΕΙΓΜΑ ΤΗΛΕΠΙΚΟΙΝΩΝΙΕΣ ΑΝΩΝΥΜΗ ΕΤΑΙΡΕΙΑ',
      tradeName: 'ΠΑΡΑΔΕΙΓΜΑ ΑΕ',
      doy: { code: '1104', name: 'Δ΄ ΑΘΗΝΩΝ' },
      address: { street: 'ΕΡΜΟΥ', number: '10', postalCode: '10563', city: 'ΑΘΗΝΑ' },
      active: true,
      naturalPerson: false,
      stoppedOn: null,
    });
    expect(r.mainActivity).toEqual({ code: '61101000', description: 'ΥΠΗΡΕΣΙΕΣ ΤΗΛΕΠΙΚΟΙΝΩΝΙΩΝ ΜΕΣΩ ΕΝΣΥΡΜΑΤΟΥ ΔΙΚΤΥΟΥ', kind: 'main' });
    expect(r.activities).toHaveLength(2);
    const req = fake.requests[0];
    expect(req.headers['content-type']).toMatch(/^application\/soap\+xml; charset=utf-8/);
    expect(req.body).toContain('<ns1:Username>ISPGATE1</ns1:Username>');
    expect(req.body).toContain('<ns3:afm_called_for>090165560</ns3:afm_called_for>');
  });

  it('a ceased business reads as inactive', async () => {
    const r = await client().lookup('094019245');
    expect(r).toMatchObject({ active: false, stoppedOn: '2020-12-31', activities: [], mainActivity: null });
  });

  it('refuses a wrong check digit before any call', async () => {
    await expect(client().lookup('090165561')).rejects.toMatchObject({ code: 'invalid_afm', status: 422 });
    await expect(client().lookup('12345')).rejects.toMatchObject({ code: 'invalid_afm' });
    expect(fake.requests).toHaveLength(0);
  });

  it('turns AADE error codes into clear errors', async () => {
    await expect(client().lookup('094014201')).rejects.toMatchObject({ code: 'afm_not_found', status: 404 });
    const wrong = new RgWsPublicClient({ url: fake.url, username: 'ISPGATE1', password: 'nope' });
    await expect(wrong.lookup('090165560')).rejects.toMatchObject({ code: 'aade_credentials_invalid' });
    const e = await wrong.lookup('090165560').catch((x) => x);
    expect(e.message).not.toContain('nope');
    expect(fake.requests).toHaveLength(3);
  });

  it('refuses to call without credentials and reports an unreachable service', async () => {
    await expect(new RgWsPublicClient({ url: fake.url, username: '', password: '' }).lookup('090165560')).rejects.toMatchObject({ code: 'aade_credentials_missing' });
    expect(fake.requests).toHaveLength(0);
    const url = fake.url;
    await fake.stop();
    await expect(new RgWsPublicClient({ url, username: 'a', password: 'b' }).lookup('090165560')).rejects.toMatchObject({ code: 'aade_unreachable' });
    fake = await new FakeRgWsPublicServer().start();
  });

  it('the fake answers a SOAP fault to a malformed envelope and the parser reports it', async () => {
    const res = await fetch(fake.url, { method: 'POST', headers: { 'Content-Type': 'application/soap+xml; charset=utf-8' }, body: '<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope"><env:Body>' });
    expect(res.status).toBe(500);
    const faultXml = await res.text();
    expect(() => parseAfmResponse(faultXml, 'x')).toThrow(expect.objectContaining({ code: 'aade_lookup_failed', message: expect.stringContaining('not well-formed') }));
    const soap11 = await fetch(fake.url, { method: 'POST', headers: { 'Content-Type': 'text/xml' }, body: '<a/>' });
    expect(soap11.status).toBe(415);
  });

  it.each([
    ['response-rgWsPublic2AfmMethod-success.xml', null],
    ['response-rgWsPublic2AfmMethod-error.xml', 'aade_credentials_missing'],
  ])('parses the reference reply %s', (file, code) => {
    const xml = readFileSync(path.join(__dirname, '..', '..', 'unit', 'einvoice', 'samples', file), 'utf8');
    if (code) expect(() => parseAfmResponse(xml, '090165560')).toThrow(expect.objectContaining({ code }));
    else expect(parseAfmResponse(xml, '090165560')).toMatchObject({ name: 'ΠΑΡΑΔΕΙΓΜΑ ΤΗΛΕΠΙΚΟΙΝΩΝΙΕΣ ΑΝΩΝΥΜΗ ΕΤΑΙΡΕΙΑ', mainActivity: { code: '61101000' } });
  });
});
