/**
 * A fake AADE RgWsPublic2 (VAT registry) SOAP 1.2 service on loopback. It answers like the real one:
 * HTTP 200 with error_rec filled for business errors (unknown AFM, missing or wrong special codes),
 * a SOAP 1.2 Sender fault with HTTP 500 for a malformed or non-SOAP-1.2 envelope, 415 for a SOAP 1.1
 * content type.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { XMLParser, XMLValidator } from 'fast-xml-parser';

export interface FakeRegistryEntry {
  afm: string;
  onomasia: string;
  commerTitle?: string;
  doy: string;
  doyDescr: string;
  legalStatus?: string;
  naturalPerson?: boolean;
  deactivated?: boolean;
  stopDate?: string;
  street: string;
  number: string;
  zip: string;
  city: string;
  activities: { code: string; descr: string; kind: 1 | 2 }[];
}

export const DEFAULT_ENTRIES: FakeRegistryEntry[] = [
  {
    afm: '090165560', onomasia: 'ΠΑΡΑΔΕΙΓΜΑ  ΤΗΛΕΠΙΚΟΙΝΩΝΙΕΣ ΑΝΩΝΥΜΗ ΕΤΑΙΡΕΙΑ', commerTitle: 'ΠΑΡΑΔΕΙΓΜΑ ΑΕ', doy: '1104', doyDescr: 'Δ΄ ΑΘΗΝΩΝ', legalStatus: 'ΑΕ',
    street: 'ΕΡΜΟΥ', number: '10', zip: '10563', city: 'ΑΘΗΝΑ',
    // Secondary first on purpose: the main activity is chosen by firm_act_kind, not position.
    activities: [
      { code: '61201000', descr: 'ΥΠΗΡΕΣΙΕΣ ΑΣΥΡΜΑΤΩΝ ΤΗΛΕΠΙΚΟΙΝΩΝΙΩΝ', kind: 2 },
      { code: '61101000', descr: 'ΥΠΗΡΕΣΙΕΣ ΤΗΛΕΠΙΚΟΙΝΩΝΙΩΝ ΜΕΣΩ ΕΝΣΥΡΜΑΤΟΥ ΔΙΚΤΥΟΥ', kind: 1 },
    ],
  },
  {
    afm: '094019245', onomasia: 'ΚΛΕΙΣΜΕΝΗ ΕΠΕ', doy: '1101', doyDescr: 'Α΄ ΑΘΗΝΩΝ', legalStatus: 'ΕΠΕ', deactivated: true, stopDate: '2020-12-31',
    street: 'ΣΤΑΔΙΟΥ', number: '1', zip: '10562', city: 'ΑΘΗΝΑ', activities: [],
  },
];

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const nil = (tag: string, v?: string | null) => (v ? `<${tag}>${esc(v)}</${tag}>` : `<${tag} xsi:nil="true"/>`);

export class FakeRgWsPublicServer {
  readonly requests: { headers: http.IncomingHttpHeaders; body: string }[] = [];
  url = '';
  private server?: http.Server;
  private seq = 862701698;
  private parser = new XMLParser({ removeNSPrefix: true, ignoreAttributes: true, parseTagValue: false });

  constructor(
    readonly users: Record<string, { password: string; afm: string }> = { 'ISPGATE1': { password: 'S3cret!pass', afm: '094014201' } },
    readonly entries: FakeRegistryEntry[] = DEFAULT_ENTRIES,
  ) {}

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (c) => (body += c));
      req.on('end', () => this.handle(req, res, body));
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/wsaade/RgWsPublic2/RgWsPublic2`;
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }

  private fault(res: http.ServerResponse, reason: string): void {
    res.writeHead(500, { 'Content-Type': 'application/soap+xml; charset=utf-8' });
    res.end(`<?xml version="1.0" encoding="UTF-8"?><env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope"><env:Body><env:Fault><env:Code><env:Value>env:Sender</env:Value></env:Code><env:Reason><env:Text xml:lang="en">${esc(reason)}</env:Text></env:Reason></env:Fault></env:Body></env:Envelope>`);
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse, body: string): void {
    this.requests.push({ headers: req.headers, body });
    if (req.method !== 'POST' || !new URL(req.url ?? '/', 'http://x').pathname.endsWith('/RgWsPublic2')) {
      res.writeHead(404).end();
      return;
    }
    if (!/^application\/soap\+xml/.test(String(req.headers['content-type'] ?? ''))) {
      res.writeHead(415, { 'Content-Type': 'text/plain' }).end('Cannot process the message because the content type is not application/soap+xml (SOAP 1.2).');
      return;
    }
    if (XMLValidator.validate(body) !== true) return this.fault(res, 'Unmarshalling Error: the message is not well-formed XML');
    if (!body.includes('http://www.w3.org/2003/05/soap-envelope') || !body.includes('http://rgwspublic2/RgWsPublic2Service')) {
      return this.fault(res, 'The envelope is not a SOAP 1.2 rgWsPublic2AfmMethod request');
    }
    const env = this.parser.parse(body)?.Envelope ?? {};
    const input = env.Body?.rgWsPublic2AfmMethod?.INPUT_REC;
    if (!input) return this.fault(res, 'Cannot find dispatch method for the request');
    const token = env.Header?.Security?.UsernameToken;
    const username = token?.Username ? String(token.Username) : '';
    const user = username ? this.users[username] : undefined;
    const afmFor = String(input.afm_called_for ?? '').trim();
    const asOn = String(input.as_on_date ?? '') || new Date().toISOString().slice(0, 10);
    let error: [string, string] | null = null;
    if (!username) error = ['RG_WS_PUBLIC_TOKEN_USERNAME_NOT_DEFINED', 'Δεν ορίσθηκε ο χρήστης που καλεί την υπηρεσία.'];
    else if (!user || user.password !== String(token?.Password ?? '')) error = ['RG_WS_PUBLIC_TOKEN_USERNAME_NOT_AUTHENTICATED', 'Ο χρήστης που καλεί την υπηρεσία δεν έχει πιστοποιηθεί.'];
    const entry = this.entries.find((e) => e.afm === afmFor);
    if (!error && !entry) error = ['RG_WS_PUBLIC_WRONG_AFM', 'Ο Α.Φ.Μ. για τον οποίο ζητούνται πληροφορίες δεν είναι έγκυρος.'];
    const e = error ? undefined : entry;
    const acts = e && e.activities.length
      ? `<firm_act_tab>${e.activities.map((a) => `<item><firm_act_code>${a.code}</firm_act_code><firm_act_descr>${esc(a.descr)}</firm_act_descr><firm_act_kind>${a.kind}</firm_act_kind><firm_act_kind_descr>${a.kind === 1 ? 'ΚΥΡΙΑ' : 'ΔΕΥΤΕΡΕΥΟΥΣΑ'}</firm_act_kind_descr></item>`).join('')}</firm_act_tab>`
      : '';
    const xml = `<?xml version="1.0" encoding="UTF-8"?>
<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><env:Header/><env:Body>
<srvc:rgWsPublic2AfmMethodResponse xmlns="http://rgwspublic2/RgWsPublic2" xmlns:srvc="http://rgwspublic2/RgWsPublic2Service"><srvc:result><rg_ws_public2_result_rtType>
<call_seq_id>${this.seq++}</call_seq_id>
<error_rec>${nil('error_code', error?.[0])}${nil('error_descr', error?.[1])}</error_rec>
<afm_called_by_rec>${nil('token_username', user && !error ? username : null)}${nil('token_afm', user && !error ? user.afm : null)}${nil('token_afm_fullname', null)}${nil('afm_called_by', user && !error ? String(input.afm_called_by || user.afm) : null)}${nil('afm_called_by_fullname', null)}<as_on_date>${asOn}</as_on_date></afm_called_by_rec>
<basic_rec>${nil('afm', e?.afm)}${nil('doy', e?.doy)}${nil('doy_descr', e?.doyDescr)}${nil('i_ni_flag_descr', e ? (e.naturalPerson ? 'ΦΠ' : 'ΜΗ ΦΠ') : null)}${nil('deactivation_flag', e ? (e.deactivated ? '2' : '1') : null)}${nil('deactivation_flag_descr', e ? (e.deactivated ? 'ΑΠΕΝΕΡΓΟΠΟΙΗΜΕΝΟΣ ΑΦΜ' : 'ΕΝΕΡΓΟΣ ΑΦΜ') : null)}${nil('firm_flag_descr', e ? 'ΕΠΙΤΗΔΕΥΜΑΤΙΑΣ' : null)}${nil('onomasia', e?.onomasia)}${nil('commer_title', e?.commerTitle)}${nil('legal_status_descr', e?.legalStatus)}${nil('postal_address', e?.street)}${nil('postal_address_no', e?.number)}${nil('postal_zip_code', e?.zip)}${nil('postal_area_description', e?.city)}${nil('regist_date', e ? '1993-02-08' : null)}${nil('stop_date', e?.stopDate)}${nil('normal_vat_system_flag', e ? 'Y' : null)}</basic_rec>
${acts}</rg_ws_public2_result_rtType></srvc:result></srvc:rgWsPublic2AfmMethodResponse></env:Body></env:Envelope>`;
    res.writeHead(200, { 'Content-Type': 'application/soap+xml; charset=utf-8' });
    res.end(xml);
  }
}
