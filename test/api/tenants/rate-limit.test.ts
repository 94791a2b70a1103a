import { makeTestApp, type TestApp } from '../../helpers/app';
import { callAs, cleanupTenants, randomSlug } from './helpers';

// Both databases number their first key 1: only the tenant in the bucket name keeps their budgets apart.
let t: TestApp;
beforeAll(async () => {
  t = await makeTestApp({ rateLimits: true, env: { RATE_LIMIT_STANDARD: '4', RATE_LIMIT_BULK: '5' } });
});
afterAll(async () => {
  if (t) await cleanupTenants(t);
  await t?.close();
});

test("a tenant spending its request budget does not spend the platform's (or another tenant's)", async () => {
  const made: Array<{ host: string; key: string }> = [];
  for (let i = 0; i < 2; i++) {
    const slug = randomSlug();
    const p = await t.call('tenant_provision', { slug, name: slug, domains: [`${slug}.test`], admin_username: 'boss', admin_email: 'boss@example.com' });
    expect(p).toMatchObject({ ok: true });
    made.push({ host: `${slug}.test`, key: p.data.api_key });
  }
  const [a, b] = made;
  expect(await t.db('api_keys').first('id')).toMatchObject({ id: 1 });
  for (let i = 0; i < 4; i++) expect(await callAs(t, a.host, a.key, 'me')).toMatchObject({ ok: true });
  expect(await callAs(t, a.host, a.key, 'me')).toMatchObject({ ok: false, error: 'rate_limited' });
  expect(await callAs(t, b.host, b.key, 'me')).toMatchObject({ ok: true });
  expect(await t.call('me')).toMatchObject({ ok: true });
});
