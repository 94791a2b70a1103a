import type { Knex } from 'knex';
import { freshDatabase } from '../helpers/db';
import { createKnex, nowUtc } from '../../src/db/knex';
import { type LeaseSpec, rowLease } from '../../src/db/lease';

/**
 * The one lease helper, on the dialect under test, with two connections pools standing for two instances:
 * one contender wins, the loser cannot renew or release, and an expired lease is taken over.
 */
let fresh: Awaited<ReturnType<typeof freshDatabase>>;
let a: Knex;
let b: Knex;
beforeAll(async () => {
  fresh = await freshDatabase();
  a = createKnex(fresh.url);
  b = createKnex(fresh.url);
  await a.schema.createTable('lease_probe', (t) => {
    t.increments('id');
    t.string('state', 16).notNullable();
    t.dateTime('locked_until').nullable();
    t.string('lock_token', 64).nullable();
  });
});
afterAll(async () => {
  await a?.destroy();
  await b?.destroy();
  await fresh?.drop();
});

const at = (iso: string) => new Date(iso);

describe.each<[string, LeaseSpec]>([
  ['with a token column', { table: 'lease_probe', until: 'locked_until', token: 'lock_token', ms: 60_000 }],
  ['without one (the expiry is the mark)', { table: 'lease_probe', until: 'locked_until', ms: 60_000 }],
])('rowLease %s', (_name, spec) => {
  const lease = rowLease(spec);
  let id: number;
  beforeEach(async () => {
    [id] = await a('lease_probe').insert({ state: 'queued' });
  });

  test('of many contenders on two instances exactly one takes the row; the others get null', async () => {
    const now = at('2026-12-01T10:00:00Z');
    const got = await Promise.all([a, b, a, b, a, b].map((db) => lease.acquire(db, { id }, { now, set: { state: 'running' } })));
    expect(got.filter(Boolean)).toHaveLength(1);
    const row = await b('lease_probe').where({ id }).first();
    expect(row.state).toBe('running');
    expect(String(row.locked_until)).toContain('10:01:00');
  });

  test('a held lease is renewed and released only by its holder; a released row is free again', async () => {
    const now = at('2026-12-01T10:00:00Z');
    const held = (await lease.acquire(a, { id }, { now }))!;
    expect(held).not.toBeNull();
    expect(await lease.acquire(b, { id }, { now: at('2026-12-01T10:00:59Z') })).toBeNull();
    expect(await lease.renew(a, held, { now: at('2026-12-01T10:00:30Z'), set: { state: 'halfway' } })).toBe(true);
    // renewed to 10:01:30, so still held at 10:01:10
    expect(await lease.acquire(b, { id }, { now: at('2026-12-01T10:01:10Z') })).toBeNull();
    const forged = { ...held, token: spec.token ? 'not-the-holder' : nowUtc(at('2026-12-01T10:01:00Z')) };
    expect(await lease.release(b, forged, { state: 'stolen' })).toBe(false);
    expect(await lease.release(a, held, { state: 'done' })).toBe(true);
    expect(await a('lease_probe').where({ id }).first()).toMatchObject({ state: 'done', locked_until: null });
    expect(await lease.acquire(b, { id }, { now: at('2026-12-01T10:01:10Z') })).not.toBeNull();
  });

  test('an expired lease is taken over, and the old holder can no longer renew or write through it', async () => {
    const first = (await lease.acquire(a, { id }, { now: at('2026-12-01T10:00:00Z') }))!;
    expect(await lease.acquire(b, { id }, { now: at('2026-12-01T10:00:59Z') })).toBeNull();
    const second = await lease.acquire(b, { id }, { now: at('2026-12-01T10:01:01Z'), set: { state: 'taken_over' } });
    expect(second).not.toBeNull();
    expect(await lease.renew(a, first, { now: at('2026-12-01T10:01:02Z') })).toBe(false);
    expect(await lease.release(a, first, { state: 'stale_write' })).toBe(false);
    expect((await a('lease_probe').where({ id }).first()).state).toBe('taken_over');
    expect(await lease.release(b, second!, { state: 'done' })).toBe(true);
  });

  test('acquire honours the extra condition; the holder releases a row whose state it changed', async () => {
    const now = at('2026-12-01T10:00:00Z');
    expect(await lease.acquire(a, { id }, { now, where: (q) => q.where('state', 'running') })).toBeNull();
    const held = (await lease.acquire(a, { id }, { now, where: (q) => q.where('state', 'queued'), set: { state: 'running' } }))!;
    expect(held).not.toBeNull();
    expect(await lease.release(a, held, { state: 'done' })).toBe(true);
    expect(await lease.acquire(a, { id }, { now })).not.toBeNull();
    const vacant = await b('lease_probe').where({ id }).where(lease.vacant(now));
    expect(vacant).toHaveLength(0);
    expect(await b('lease_probe').where({ id }).where(lease.vacant(at('2026-12-01T10:02:00Z')))).toHaveLength(1);
  });
});
