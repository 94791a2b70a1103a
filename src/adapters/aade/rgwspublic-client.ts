import { AppError, errors } from '../../errors';
import { isValidAfm, normalizeAfm } from '../../domain/afm';
import { child, children, escapeXml, parseXml, text } from './xml';
import { httpExchange, TransportError, type HttpAnswer } from '../http';

/** AADE "Αναζήτηση Βασικών Στοιχείων Μητρώου Επιχειρήσεων" (RgWsPublic2), SOAP 1.2 with a WS-Security UsernameToken. */
export interface RgWsPublicOptions {
  /** https://www1.gsis.gr/wsaade/RgWsPublic2/RgWsPublic2 (AADE_VAT_URL) */
  url: string;
  /** The special access codes (ειδικοί κωδικοί), not the TAXISnet login. */
  username: string;
  password: string;
  /** The AFM the call is made on behalf of; empty = the owner of the codes. */
  afmCalledBy?: string;
  timeoutMs?: number;
}

export interface VatActivity {
  code: string;
  description: string;
  kind: 'main' | 'secondary' | 'other';
}

export interface VatRegistryRecord {
  afm: string;
  name: string;
  tradeName: string | null;
  legalStatus: string | null;
  naturalPerson: boolean;
  doy: { code: string | null; name: string | null };
  address: { street: string | null; number: string | null; postalCode: string | null; city: string | null };
  active: boolean;
  firmType: string | null;
  normalVatSystem: boolean;
  registeredOn: string | null;
  stoppedOn: string | null;
  activities: VatActivity[];
  mainActivity: VatActivity | null;
  callSeqId: string | null;
}

const NS = {
  env: 'http://www.w3.org/2003/05/soap-envelope',
  wsse: 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd',
  srvc: 'http://rgwspublic2/RgWsPublic2Service',
  rg: 'http://rgwspublic2/RgWsPublic2',
};

export function buildAfmRequest(o: { username: string; password: string; afmCalledBy?: string; afmCalledFor: string; asOnDate?: string }): string {
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<env:Envelope xmlns:env="${NS.env}" xmlns:ns1="${NS.wsse}" xmlns:ns2="${NS.srvc}" xmlns:ns3="${NS.rg}">`,
    '  <env:Header>',
    '    <ns1:Security>',
    '      <ns1:UsernameToken>',
    `        <ns1:Username>${escapeXml(o.username)}</ns1:Username>`,
    `        <ns1:Password>${escapeXml(o.password)}</ns1:Password>`,
    '      </ns1:UsernameToken>',
    '    </ns1:Security>',
    '  </env:Header>',
    '  <env:Body>',
    '    <ns2:rgWsPublic2AfmMethod>',
    '      <ns2:INPUT_REC>',
    o.afmCalledBy ? `        <ns3:afm_called_by>${escapeXml(o.afmCalledBy)}</ns3:afm_called_by>` : '        <ns3:afm_called_by/>',
    `        <ns3:afm_called_for>${escapeXml(o.afmCalledFor)}</ns3:afm_called_for>`,
    o.asOnDate ? `        <ns3:as_on_date>${o.asOnDate}</ns3:as_on_date>` : null,
    '      </ns2:INPUT_REC>',
    '    </ns2:rgWsPublic2AfmMethod>',
    '  </env:Body>',
    '</env:Envelope>',
  ].filter((l) => l !== null).join('\n');
}

function aadeError(code: string, descr: string | undefined, afm: string): AppError {
  const detail = descr ? ` (AADE: ${descr})` : '';
  switch (code) {
    case 'RG_WS_PUBLIC_WRONG_AFM':
      return new AppError('afm_not_found', `AADE has no registry entry for AFM ${afm}${detail}.`, 404);
    case 'RG_WS_PUBLIC_TOKEN_USERNAME_NOT_AUTHENTICATED':
      return new AppError('aade_credentials_invalid', `AADE refused the special access codes for the VAT lookup; check the username and password in the e-invoicing settings${detail}.`, 502);
    case 'RG_WS_PUBLIC_TOKEN_USERNAME_NOT_DEFINED':
      return new AppError('aade_credentials_missing', `AADE received no credentials for the VAT lookup; save the special access codes in the e-invoicing settings${detail}.`, 502);
    default:
      return new AppError('aade_lookup_failed', `AADE answered ${code} to the VAT lookup${detail}.`, 502, { extra: { aade_error_code: code } });
  }
}

const squash = (s: string | undefined): string | null => (s ? s.replace(/\s+/g, ' ').trim() : null);

export function parseAfmResponse(xml: string, afm: string): VatRegistryRecord {
  const doc = parseXml(xml, ['item']);
  const body = child(child(doc, 'Envelope'), 'Body');
  const fault = child(body, 'Fault');
  if (fault) {
    const reason = text(child(fault, 'Reason'), 'Text') ?? text(fault, 'faultstring') ?? 'SOAP fault';
    throw new AppError('aade_lookup_failed', `The AADE VAT lookup answered a SOAP fault: ${reason}.`, 502);
  }
  const rt = child(child(child(body, 'rgWsPublic2AfmMethodResponse'), 'result'), 'rg_ws_public2_result_rtType');
  if (!rt) throw new AppError('aade_lookup_failed', 'The AADE VAT lookup reply has no result record.', 502);
  const errorCode = text(child(rt, 'error_rec'), 'error_code');
  if (errorCode) throw aadeError(errorCode, text(child(rt, 'error_rec'), 'error_descr'), afm);
  const b = child(rt, 'basic_rec');
  const name = squash(text(b, 'onomasia'));
  if (!b || !name) throw new AppError('aade_lookup_failed', `The AADE VAT lookup returned no registry data for AFM ${afm}.`, 502);
  const activities: VatActivity[] = children(child(rt, 'firm_act_tab'), 'item').map((i) => ({
    code: text(i, 'firm_act_code') ?? '',
    description: squash(text(i, 'firm_act_descr')) ?? '',
    kind: text(i, 'firm_act_kind') === '1' ? 'main' : text(i, 'firm_act_kind') === '2' ? 'secondary' : 'other',
  }));
  const stoppedOn = text(b, 'stop_date') ?? null;
  return {
    afm: text(b, 'afm') ?? afm,
    name,
    tradeName: squash(text(b, 'commer_title')),
    legalStatus: squash(text(b, 'legal_status_descr')),
    naturalPerson: text(b, 'i_ni_flag_descr') === 'ΦΠ',
    doy: { code: text(b, 'doy') ?? null, name: squash(text(b, 'doy_descr')) },
    address: {
      street: squash(text(b, 'postal_address')),
      number: squash(text(b, 'postal_address_no')),
      postalCode: text(b, 'postal_zip_code') ?? null,
      city: squash(text(b, 'postal_area_description')),
    },
    // deactivation_flag 1 = active; a filled stop_date means the business ceased.
    active: text(b, 'deactivation_flag') === '1' && !stoppedOn,
    firmType: squash(text(b, 'firm_flag_descr')),
    normalVatSystem: text(b, 'normal_vat_system_flag') === 'Y',
    registeredOn: text(b, 'regist_date') ?? null,
    stoppedOn,
    activities,
    mainActivity: activities.find((a) => a.kind === 'main') ?? null,
    callSeqId: text(rt, 'call_seq_id') ?? null,
  };
}

export class RgWsPublicClient {
  constructor(private readonly opts: RgWsPublicOptions) {}

  async lookup(afmInput: string, asOnDate?: string): Promise<VatRegistryRecord> {
    const afm = normalizeAfm(afmInput ?? '');
    // A wrong check digit never reaches AADE: the call is rate limited and the answer is certain.
    if (!isValidAfm(afm)) throw errors.invalid('afm', `"${afmInput}" is not a valid Greek AFM (nine digits, the last a check digit).`);
    if (asOnDate !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(asOnDate)) throw errors.invalid('as_on_date', 'as_on_date must be YYYY-MM-DD.');
    if (!this.opts.url) throw new AppError('aade_lookup_not_configured', 'AADE_VAT_URL is not set.', 500);
    if (!this.opts.username || !this.opts.password) {
      throw new AppError('aade_credentials_missing', 'The AADE VAT lookup special access codes are not configured; save them with save_einvoice_settings.', 422);
    }
    const body = buildAfmRequest({ username: this.opts.username, password: this.opts.password, afmCalledBy: this.opts.afmCalledBy, afmCalledFor: afm, asOnDate });
    let res: HttpAnswer;
    try {
      res = await httpExchange(this.opts.url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/soap+xml; charset=utf-8; action=""', Accept: 'application/soap+xml' },
        body,
        timeoutMs: this.opts.timeoutMs ?? 15_000,
      });
    } catch (err) {
      if (!(err instanceof TransportError)) throw err;
      throw new AppError('aade_unreachable', `The AADE VAT lookup service did not answer (${err.code}); try again later.`, 502, { cause: err.cause });
    }
    const payload = res.text;
    // SOAP faults come with HTTP 500 and an envelope; anything else non-2xx has no envelope to read.
    if (!res.ok && !/Envelope/.test(payload)) {
      throw new AppError('aade_lookup_failed', `The AADE VAT lookup answered HTTP ${res.status}.`, 502);
    }
    return parseAfmResponse(payload, afm);
  }
}
