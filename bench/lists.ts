/**
 * Benchmark: list_customers and radius_sessions at ISP scale on MariaDB. Seeds N subscribers and M radacct rows
 * (bench/lib/scale-db.ts), then runs each list query sequentially Q times through the services (the code behind the
 * actions) and prints p50/p99/max in ms. Keyset pages start at a random cursor; page-number pages at a random page.
 *
 *   npx tsx bench/lists.ts [--subscribers 1000000] [--radacct 10000000] [--queries 200] [--mysql mysql://root@127.0.0.1:3306] [--keep]
 *
 * The database is created and dropped (--keep leaves it, named after its size, for a rerun and for memory.ts).
 */
import os from 'node:os';
import { systemContext } from '../src/context';
import { DEFAULT_TENANT } from '../src/db/tenants';
import { encodeCursor } from '../src/gateway/cursor';
import { listCustomers } from '../src/services/network/customers';
import { listSessions } from '../src/services/network/sessions';
import { scaleDatabase } from './lib/scale-db';
import { fmt } from './lib/util';

function arg(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : def;
}

function pct(xs: number[], p: number) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
}

async function main() {
  const subs = Number(arg('subscribers', '1000000'));
  const acct = Number(arg('radacct', '10000000'));
  const queries = Number(arg('queries', '200'));
  const keep = process.argv.includes('--keep');
  const scale = await scaleDatabase({ subscribers: subs, radacct: acct, server: arg('mysql', process.env.BENCH_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306'), keep });
  const { rt, db } = scale;
  try {
    const ctx = systemContext(rt, DEFAULT_TENANT, db, 'bench');
    const maxId = Number((await db('customers').max({ m: 'id' }))[0].m);
    const maxAcct = Number((await db('radacct').max({ m: 'radacctid' }))[0].m);
    const rnd = (n: number) => 1 + Math.floor(Math.random() * n);

    const scenarios: Array<[string, () => Promise<unknown>]> = [
      ['list_customers page=random (page number)', () => listCustomers(ctx, { page: rnd(Math.floor(subs / 25)), per_page: 25 })],
      ['list_customers cursor=random', () => listCustomers(ctx, { page: 1, per_page: 25, cursor: encodeCursor('customers', rnd(maxId)) })],
      ['list_customers status=suspended cursor', () => listCustomers(ctx, { page: 1, per_page: 25, status: 'suspended', cursor: encodeCursor('customers', rnd(maxId)) })],
      ['list_customers plan cursor', () => listCustomers(ctx, { page: 1, per_page: 25, plan: 'VDSL 50', cursor: encodeCursor('customers', rnd(maxId)) })],
      ['list_customers router cursor', () => listCustomers(ctx, { page: 1, per_page: 25, router: `nas${rnd(50)}`, cursor: encodeCursor('customers', rnd(maxId)) })],
      ['list_customers search=username', () => listCustomers(ctx, { page: 1, per_page: 25, search: `sub${rnd(subs)}` })],
      ['list_customers search=name words', () => listCustomers(ctx, { page: 1, per_page: 25, search: `subscriber ${rnd(subs)}` })],
      ['list_customers search=phone ending', () => listCustomers(ctx, { page: 1, per_page: 25, search: String(rnd(subs)).padStart(6, '0').slice(-5) })],
      ['list_customers search=common word', () => listCustomers(ctx, { page: 1, per_page: 25, search: 'subscriber', cursor: encodeCursor('customers', rnd(maxId)) })],
      ['radius_sessions open', () => listSessions(ctx, { page: 1, per_page: 25 })],
      ['radius_sessions open cursor=random', () => listSessions(ctx, { page: 1, per_page: 25, cursor: encodeCursor('radius_sessions', rnd(maxAcct)) })],
      ['radius_sessions username', () => listSessions(ctx, { page: 1, per_page: 25, username: `sub${rnd(subs)}`, state: 'all' })],
      ['radius_sessions nas_ip open', () => listSessions(ctx, { page: 1, per_page: 25, nas_ip: `10.1.${rnd(50)}.1` })],
      ['radius_sessions router open', () => listSessions(ctx, { page: 1, per_page: 25, router: `nas${rnd(50)}` })],
      ['radius_sessions closed cursor', () => listSessions(ctx, { page: 1, per_page: 25, state: 'closed', cursor: encodeCursor('radius_sessions', rnd(maxAcct)) })],
      ['radius_sessions nas_ip closed', () => listSessions(ctx, { page: 1, per_page: 25, state: 'closed', nas_ip: `10.1.${rnd(50)}.1` })],
    ];
    const [{ v }] = ((await db.raw('select version() as v')) as unknown as [Array<{ v: string }>])[0];
    const counted = async (table: string) => Number(((await db(table).count({ n: '*' })) as Array<{ n: number | string }>)[0].n);
    // The rows actually there (a --keep database may have been seeded only in part).
    console.log(`lists bench: ${await counted('customers')} subscribers, ${await counted('radacct')} radacct rows, ${queries} sequential queries each, ${v}, ${os.cpus().length} CPUs, load avg ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}`);
    console.log('scenario'.padEnd(42) + 'p50 ms  p99 ms  max ms  estimated totals');
    for (const [name, run] of scenarios) {
      const times: number[] = [];
      let estimated = 0;
      for (let i = 0; i < queries; i++) {
        const t0 = process.hrtime.bigint();
        const r = (await run()) as { meta: { total_estimated?: boolean } };
        times.push(Number(process.hrtime.bigint() - t0) / 1e6);
        if (r.meta.total_estimated) estimated++;
      }
      console.log(`${name.padEnd(42)}${fmt(pct(times, 50), 1).padStart(6)}  ${fmt(pct(times, 99), 1).padStart(6)}  ${fmt(Math.max(...times), 1).padStart(6)}  ${estimated}/${queries}`);
    }
  } finally {
    await scale.close();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
