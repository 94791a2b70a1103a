import request from 'supertest';
import { makeTestApp, type TestApp } from '../../helpers/app';
import { validateOpenApi } from './openapi-validate';

let t: TestApp;
beforeAll(async () => {
  t = await makeTestApp();
});
afterAll(async () => t.close());

describe('OpenAPI document of process.php (veloxiom)', () => {
  let doc: any;
  beforeAll(async () => {
    const r = await request(t.app).get('/openapi/veloxiom.json').set('Authorization', `Bearer ${t.key}`);
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toMatch(/application\/json/);
    doc = r.body;
  });

  it('is a valid OpenAPI 3.1 document', () => {
    expect(doc.openapi).toBe('3.1.0');
    const v = validateOpenApi(doc);
    expect(v.errors).toBeUndefined();
    expect(v.valid).toBe(true);
    expect(v.version).toBe('3.1');
  });

  it('has one branch per registered action, and nothing else', () => {
    const names = t.rt.registry.list().map((a) => a.name).sort();
    const body = doc.paths['/mikrotik/process.php'].post.requestBody.content['application/x-www-form-urlencoded'].schema;
    const refs = body.oneOf.map((b: { $ref: string }) => b.$ref.replace('#/components/schemas/action_', '')).sort();
    expect(refs).toEqual(names);
    expect(Object.keys(body.discriminator.mapping).sort()).toEqual(names);
    expect(doc['x-actions'].map((a: { action: string }) => a.action).sort()).toEqual(names);
    for (const n of names) {
      const s = doc.components.schemas[`action_${n}`];
      const actionProp = s.properties?.action ?? s.allOf?.[1]?.properties?.action;
      expect(actionProp.const).toBe(n);
    }
  });

  it('carries each action\'s own input schema (add: username required, bounded)', () => {
    const s = doc.components.schemas.action_add;
    expect(s.required).toEqual(expect.arrayContaining(['action', 'username']));
    expect(s.properties.username.maxLength).toBeGreaterThan(0);
  });

  it('needs what action=describe needs: a key or a session', async () => {
    const anon = await request(t.app).get('/openapi/veloxiom.json');
    expect(anon.status).toBe(401);
    expect(anon.body).toMatchObject({ ok: false, error: 'unauthorized' });
    const bad = await request(t.app).get('/openapi/veloxiom.json').set('Authorization', 'Bearer isg_wrong');
    expect(bad.status).toBe(401);
  });

  it('answers a clear 404 for an unknown document', async () => {
    const r = await request(t.app).get('/openapi/nope.json');
    expect(r.status).toBe(404);
    expect(r.body).toMatchObject({ ok: false, error: 'not_found' });
  });
});
