import type { ServiceContext } from '../context';
import { RgWsPublicClient } from '../../adapters/aade/rgwspublic-client';
import { loadEinvoiceSettings } from './settings';

export async function aadeLookup(deps: Pick<ServiceContext, 'db' | 'secrets' | 'config'>, afm: string, asOnDate?: string) {
  const s = await loadEinvoiceSettings(deps.db, deps.secrets);
  const client = new RgWsPublicClient({
    url: deps.config.AADE_VAT_URL,
    username: s.vat_lookup_username ?? '',
    password: s.vat_lookup_password ?? '',
    afmCalledBy: s.vat_lookup_afm_called_by ?? undefined,
  });
  const r = await client.lookup(afm, asOnDate);
  return {
    afm: r.afm,
    name: r.name,
    trade_name: r.tradeName,
    legal_status: r.legalStatus,
    natural_person: r.naturalPerson,
    doy: r.doy.code,
    doy_name: r.doy.name,
    address: r.address.street,
    address_no: r.address.number,
    postal_code: r.address.postalCode,
    city: r.address.city,
    active: r.active,
    stop_date: r.stoppedOn,
    registration_date: r.registeredOn,
    normal_vat_system: r.normalVatSystem,
    main_activity: r.mainActivity,
    activities: r.activities,
  };
}
