import { makeTestApp, type TestApp } from '../../helpers/app';

let t: TestApp;
beforeAll(async () => {
  t = await makeTestApp();
});
afterAll(async () => t.close());

test('an authenticated call answers the envelope', async () => {
  const r = await t.post('me');
  expect(r.status).toBe(200);
  expect(r.body.ok).toBe(true);
  expect(r.body.data.username).toBe('admin');
  expect(r.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
});
