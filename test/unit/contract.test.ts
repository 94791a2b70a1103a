import { allActions } from '../../src/actions';
import { ActionRegistry } from '../../src/gateway/registry';

const registry = new ActionRegistry(allActions(() => []));

/** Actions of the Veloxiom reference that ispgate implements so far, with the methods the reference gives them. */
const REFERENCE: Record<string, 'GET' | 'POST'> = {
  start_2fa_enroll: 'POST', finish_2fa_enroll: 'POST', disable_own_2fa: 'POST', reset_admin_2fa: 'POST',
  add: 'POST', edit: 'POST', delete: 'POST', toggle_status: 'POST', save_billing_customer: 'POST', aade_lookup: 'POST',
  add_plan: 'POST', edit_plan: 'POST', delete_plan: 'POST',
  save_billing_settings: 'POST', generate_invoices_month: 'POST', create_invoice_manual: 'POST', invoice_set_status: 'POST', delete_invoice: 'POST',
  pay_invoice: 'POST', customer_bulk_pay: 'POST', manual_retry_charge: 'POST',
  einvoice_submit: 'POST', einvoice_status: 'GET',
  radius_sessions: 'GET', radius_disconnect: 'POST', radius_coa: 'POST',
  get_routers: 'GET', list_routers_ui: 'GET', add_router: 'POST', edit_router: 'POST', delete_router: 'POST', switch_router: 'POST',
  add_web_admin: 'POST', edit_web_admin: 'POST', delete_web_admin: 'POST',
  save_settings: 'POST',
};

test.each(Object.entries(REFERENCE))('the reference action %s is registered and answers %s', (name, method) => {
  const a = registry.get(name);
  expect(a).toBeDefined();
  expect(a!.methods ?? ['POST']).toContain(method);
  expect(a!.methods ?? ['POST']).toContain('POST');
});

test('billing operations spend the billing budget, month generation the bulk budget', () => {
  for (const n of ['save_billing_settings', 'create_invoice_manual', 'invoice_set_status', 'delete_invoice', 'pay_invoice', 'customer_bulk_pay', 'manual_retry_charge'])
    expect([n, registry.get(n)!.rateClass]).toEqual([n, 'billing']);
  expect(registry.get('generate_invoices_month')!.rateClass).toBe('bulk');
});

test('the published contract (names, sections, permissions, rate classes, methods) changes only on purpose', () => {
  const contract = registry
    .list()
    .map((a) => `${a.name} ${a.section} ${typeof a.permission === 'string' ? a.permission : JSON.stringify(a.permission)} ${a.rateClass} ${(a.methods ?? ['POST']).join(',')}`)
    .sort();
  expect(contract).toMatchSnapshot();
});
