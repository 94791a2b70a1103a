import { makeTestApp, type TestApp } from '../../helpers/app';

let t: TestApp;
beforeAll(async () => {
  t = await makeTestApp();
});
afterAll(async () => t.close());

test('the myDATA environment is an explicit setting, shown by get_einvoice_settings', async () => {
  const before = await t.call('get_einvoice_settings');
  expect(before.data).toMatchObject({ mydata_env: 'dev', mydata_base_url: 'https://mydataapidev.aade.gr' });
  expect(await t.call('save_einvoice_settings', { mydata_env: 'production' })).toMatchObject({ ok: true, data: { mydata_env: 'production' } });
  const after = await t.call('get_einvoice_settings');
  expect(after.data).toMatchObject({ mydata_env: 'production', mydata_base_url: 'https://mydatapi.aade.gr/myDATA' });
  const bad = await t.call('save_einvoice_settings', { mydata_env: 'staging' });
  expect(bad).toMatchObject({ ok: false, error: 'invalid_mydata_env' });
  expect((await t.call('get_einvoice_settings')).data.mydata_env).toBe('production');
});

test('MYDATA_BASE_URL set to a fake or a proxy still wins over the environment’s URL', async () => {
  const a = await makeTestApp({ env: { MYDATA_BASE_URL: 'http://127.0.0.1:9/mydata' } });
  try {
    expect((await a.call('get_einvoice_settings')).data).toMatchObject({ mydata_env: 'dev', mydata_base_url: 'http://127.0.0.1:9/mydata' });
  } finally {
    await a.close();
  }
});

test('issuer_branch and the caller AFM are checked when saved, not at the first submit', async () => {
  expect(await t.call('save_einvoice_settings', { issuer_branch: '3000000000' })).toMatchObject({ ok: false, error: 'invalid_issuer_branch' });
  expect(await t.call('save_einvoice_settings', { issuer_branch: '-1' })).toMatchObject({ ok: false, error: 'invalid_issuer_branch' });
  expect(await t.call('save_einvoice_settings', { vat_lookup_afm_called_by: '123456789' })).toMatchObject({ ok: false, error: 'invalid_vat_lookup_afm_called_by' });
  expect(await t.call('save_einvoice_settings', { issuer_branch: '2' })).toMatchObject({ ok: true, data: { issuer_branch: 2 } });
  expect((await t.call('get_einvoice_settings')).data.issuer_branch).toBe(2);
});
