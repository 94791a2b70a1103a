import { parseArgs } from 'node:util';
import { closeRuntime, createRuntime } from './app';
import { loadConfig } from './config';
import { migrateLatest, migrateRollbackAll } from './db/migrate';
import { createLogger } from './logger';
import { ROLES, type Role } from './gateway/permissions';
import { adminsByUsername, createAdmin } from './services/admins';
import { createApiKey, listApiKeys, revokeApiKey } from './services/api-keys';

const USAGE = `ispgate CLI (npm run cli -- <command>)

  migrate                                   apply pending migrations
  migrate:rollback                          roll every migration back (destroys data)
  seed                                      load the demo data set (seeds/)
  admin create --username U --password P [--role R] [--email E]
  api-key create --name N [--admin USERNAME]   prints the key alone on the last line
  api-key list
  api-key revoke --id N
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
    process.stderr.write(`unknown command: ${positionals.join(' ')}\n\n${USAGE}`);
    return 2;
  } finally {
    await closeRuntime(rt);
  }
}

main(process.argv.slice(2))
  .then((code) => process.exit(code))
  .catch((e) => {
    process.stderr.write(`error: ${(e as Error).message}\n`);
    process.exit(1);
  });
