import type { Server } from 'node:http';
import { closeRuntime, createApp, createRuntime } from './app';
import { prepareDatabase } from './bootstrap';
import { loadConfig } from './config';
import { allJobs } from './jobs';
import { Scheduler } from './jobs/scheduler';

async function main() {
  const config = loadConfig();
  const rt = createRuntime(config);
  const { applied, admin, key } = await prepareDatabase(rt.db, config.ADMIN_PASSWORD);
  if (applied.length) rt.log.info('migrations applied', { count: applied.length });
  if (admin) {
    // Shown once, on the console only (not through the logger, which may ship lines elsewhere).
    const lines = ['', '================ ispgate first start ================', `Primary admin: ${admin.username}`];
    if (admin.generated) lines.push(`Password:      ${admin.password}`);
    else lines.push('Password:      (from ADMIN_PASSWORD)');
    lines.push(`API key:       ${key}`, 'Store these now; they are not shown again.', '=====================================================', '');
    process.stdout.write(lines.join('\n') + '\n');
  }
  const scheduler = new Scheduler(rt, allJobs(rt.config));
  if (config.JOBS_ENABLED) scheduler.start();
  const app = createApp(rt);
  const server: Server = app.listen(config.PORT, config.HOST, () => {
    rt.log.info(`ispgate listening on http://${config.HOST}:${config.PORT}/mikrotik/process.php`, { database: config.DATABASE_URL.split(':')[0] });
  });
  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    rt.log.info('shutting down', { signal });
    server.close();
    await scheduler.stop();
    await closeRuntime(rt);
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((e) => {
  process.stderr.write(`ispgate failed to start: ${(e as Error).message}\n`);
  process.exit(1);
});
