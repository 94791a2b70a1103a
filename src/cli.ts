import { parseArgs } from 'node:util';
import path from 'node:path';
import { closeRuntime, createRuntime } from './app';
import { loadConfig } from './config';
import { migrateLatest, migrateRollbackAll } from './db/migrate';
import { createLogger } from './logger';
import { ROLES, type Role } from './gateway/permissions';
import { adminsByUsername, createAdmin } from './services/core/admins';
import { createApiKey, listApiKeys, revokeApiKey } from './services/core/api-keys';
import type { z } from 'zod';
import { tenantDelete, tenantExports, tenantProvision, tenantSuspend } from './actions/tenants';
import { systemContext } from './context';
import { DEFAULT_TENANT } from './db/tenants';
import { isAppError } from './errors';
import { validationError } from './gateway/validation';
import { reindexCustomerSearch } from './services/network/customer-search';
import { deleteTenant, listTenantExports, listTenants, provisionTenant, setTenantStatus } from './services/tenants';

const USAGE = `ispgate CLI (npm run cli -- <command>)

  migrate                                   apply pending migrations
  migrate:rollback                          roll every migration back (destroys data)
  seed                                      load the demo data set (seeds/)
  admin create --username U --password P [--role R] [--email E]
  api-key create --name N [--admin USERNAME]   prints the key alone on the last line
  api-key list
  api-key revoke --id N
  tenant create --slug S --name N --domain HOST [--domain HOST2] --admin-username U --admin-email E
                [--admin-password P] [--company-name C] [--language en] [--timezone Europe/Athens]
                [--max-subscribers N] [--max-routers N]      prints {tenant, admin, api_key} as JSON, once
  tenant list
  tenant suspend|resume --slug S [--cut-service]   --cut-service: suspend every active subscriber too (a job)
  tenant delete --slug S [--export]             only a suspended tenant; --export writes a dump first
  tenant exports [--slug S]                     the dumps on this server, with their paths under DATA_DIR
  search reindex [--slug S]                     rebuild the subscriber search index (after rows were written
                                                with SQL, around the API); --slug: that tenant's database
`;

async function main(argv: string[]) {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      username: { type: 'string' },
      password: { type: 'string' },
      role: { type: 'string' },
      email: { type: 'string' },
      name: { type: 'string' },
      admin: { type: 'string' },
      id: { type: 'string' },
      slug: { type: 'string' },
      domain: { type: 'string', multiple: true },
      'admin-username': { type: 'string' },
      'admin-email': { type: 'string' },
      'admin-password': { type: 'string' },
      'company-name': { type: 'string' },
      language: { type: 'string' },
      timezone: { type: 'string' },
      'max-subscribers': { type: 'string' },
      'max-routers': { type: 'string' },
      export: { type: 'boolean' },
      'cut-service': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [cmd, sub] = positionals;
  if (!cmd || values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const config = loadConfig();
  // Logs go to stderr so stdout carries only what a script captures (the key, the password).
  const log = createLogger({ level: config.LOG_LEVEL === 'info' ? 'warn' : config.LOG_LEVEL, json: false, stderr: true });
  const rt = createRuntime(config, { log });
  try {
    if (cmd === 'migrate') {
      const applied = await migrateLatest(rt.db);
      process.stdout.write(applied.length ? `applied ${applied.length} migration(s):\n${applied.join('\n')}\n` : 'nothing to migrate\n');
      return 0;
    }
    if (cmd === 'migrate:rollback') {
      await migrateRollbackAll(rt.db);
      process.stdout.write('rolled back\n');
      return 0;
    }
    // Only migrate: the primary admin (and its one-time password) is created by the first `npm start`.
    await migrateLatest(rt.db);
    if (cmd === 'seed') {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { seedDemo } = require('../seeds/demo') as { seedDemo: (rt: unknown) => Promise<string> };
      process.stdout.write((await seedDemo(rt)) + '\n');
      return 0;
    }
    if (cmd === 'admin' && sub === 'create') {
      if (!values.username || !values.password) throw new Error('admin create needs --username and --password');
      if (values.password.length < 10) throw new Error('the password must be at least 10 characters');
      const role = (values.role ?? 'superadmin') as Role;
      if (!ROLES.includes(role)) throw new Error(`--role must be one of ${ROLES.join(', ')}`);
      if (await adminsByUsername(rt.db, values.username).first()) throw new Error(`an admin called ${values.username} exists already`);
      const a = await createAdmin(rt.db, { username: values.username, password: values.password, role, email: values.email ?? null });
      process.stdout.write(`created admin ${a.username} (id ${a.id}, role ${a.role})\n`);
      return 0;
    }
    if (cmd === 'api-key' && sub === 'create') {
      if (!values.name) throw new Error('api-key create needs --name');
      let adminId: number | null = null;
      if (values.admin) {
        const a = await adminsByUsername(rt.db, values.admin).first();
        if (!a) throw new Error(`no admin is called ${values.admin}`);
        adminId = a.id;
      }
      const k = await createApiKey(rt.db, values.name, adminId);
      process.stdout.write(`# API key ${k.id} "${k.name}" — shown once\n${k.key}\n`);
      return 0;
    }
    if (cmd === 'api-key' && sub === 'list') {
      for (const k of await listApiKeys(rt.db)) process.stdout.write(`${k.id}\t${k.prefix}…\t${k.name}\t${k.admin ?? '-'}\t${k.active ? 'active' : 'revoked'}\t${k.last_used_at ?? 'never'}\n`);
      return 0;
    }
    if (cmd === 'api-key' && sub === 'revoke') {
      if (!values.id) throw new Error('api-key revoke needs --id');
      await revokeApiKey(rt.db, Number(values.id));
      process.stdout.write(`revoked ${values.id}\n`);
      return 0;
    }
    if (cmd === 'search' && sub === 'reindex') {
      let db = rt.db;
      if (values.slug) {
        const row = await rt.db('tenants').where({ slug: values.slug }).first('id');
        if (!row) throw new Error(`no tenant has the slug ${values.slug}`);
        db = await rt.tenants.dbFor(row.id);
      }
      const n = await reindexCustomerSearch(db);
      process.stdout.write(`indexed ${n} subscriber(s)\n`);
      return 0;
    }
    if (cmd === 'tenant') {
      // The CLI acts as the platform (the default tenant) and checks input with the API's own schemas.
      const ctx = systemContext(rt, DEFAULT_TENANT, rt.db, 'cli');
      const parse = <T>(action: { input: z.ZodType<T> }, params: Record<string, unknown>): T => {
        const r = action.input.safeParse(params);
        if (!r.success) throw validationError(r.error, params);
        return r.data;
      };
      const ref = { slug: values.slug, id: values.id };
      let out: unknown;
      if (sub === 'create') {
        const input = parse(tenantProvision, {
          slug: values.slug,
          name: values.name,
          domains: values.domain,
          admin_username: values['admin-username'],
          admin_email: values['admin-email'],
          admin_password: values['admin-password'],
          company_name: values['company-name'],
          language: values.language,
          timezone: values.timezone,
          max_subscribers: values['max-subscribers'],
          max_routers: values['max-routers'],
        });
        out = await provisionTenant(ctx, { ...input, company_name: input.company_name ?? undefined });
      } else if (sub === 'list') {
        out = await listTenants(ctx, {});
      } else if (sub === 'suspend' || sub === 'resume') {
        const input = parse(tenantSuspend, { ...ref, cut_service: values['cut-service'] ? '1' : undefined });
        out = await setTenantStatus(ctx, input, sub === 'suspend' ? 'suspended' : 'active', { cutService: input.cut_service });
      } else if (sub === 'delete') {
        const input = parse(tenantDelete, { ...ref, export: values.export ? '1' : undefined });
        out = await deleteTenant(ctx, input, { export: input.export });
      } else if (sub === 'exports') {
        const list = await listTenantExports(ctx, parse(tenantExports, { slug: values.slug }));
        // On the server itself the operator copies the file directly: the path is shown here, never over the API.
        out = { ...list, exports: list.exports.map((e) => ({ ...e, path: path.join(rt.config.dataDir, 'exports', 'tenants', e.filename) })) };
      } else {
        process.stderr.write(`unknown command: ${positionals.join(' ')}\n\n${USAGE}`);
        return 2;
      }
      process.stdout.write(JSON.stringify(out, null, 2) + '\n');
      return 0;
    }
    process.stderr.write(`unknown command: ${positionals.join(' ')}\n\n${USAGE}`);
    return 2;
  } finally {
    await closeRuntime(rt);
  }
}

main(process.argv.slice(2))
  .then((code) => process.exit(code))
  .catch((e) => {
    process.stderr.write(`error: ${isAppError(e) ? `${e.code}: ` : ''}${(e as Error).message}\n`);
    process.exit(1);
  });
