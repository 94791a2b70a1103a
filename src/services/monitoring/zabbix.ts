/**
 * Zabbix as a monitoring source of its own (hosts, open problems), read from the Zabbix source saved for the
 * topology (save_topology_metrics_source source=zabbix). Reads only, outside any transaction, with the source's
 * timeout; Zabbix down or refusing the credentials is the adapter's source_unreachable / source_auth_failed.
 */
import { AppError } from '../../errors';
import { zabbixHostList, zabbixProblemList } from '../../adapters/zabbix/client';
import type { SourceConfig } from '../../adapters/librenms/types';
import { configOf } from './topology';
import type { MonCtx } from './snmp';

type ZCtx = Pick<MonCtx, 'db' | 'secrets' | 'config'>;

async function zabbixConfig(ctx: ZCtx): Promise<SourceConfig> {
  const row = await ctx.db('topology_sources').where({ source: 'zabbix' }).first();
  if (!row) throw new AppError('source_not_configured', 'No Zabbix source is saved; save_topology_metrics_source with source=zabbix adds it.', 404);
  return configOf(ctx, row);
}

export async function zabbixConfigured(ctx: Pick<MonCtx, 'db'>): Promise<boolean> {
  return Boolean(await ctx.db('topology_sources').where({ source: 'zabbix' }).first('id'));
}

export async function zabbixHosts(ctx: ZCtx) {
  const r = await zabbixHostList(await zabbixConfig(ctx));
  return { version: r.version, hosts: r.hosts };
}

export async function zabbixProblems(ctx: ZCtx, minSeverity = 0) {
  return zabbixProblemList(await zabbixConfig(ctx), minSeverity);
}

/** Hosts by availability, problems by severity, and the newest problems. */
export async function zabbixSummary(ctx: ZCtx, newest = 20) {
  const r = await zabbixHostList(await zabbixConfig(ctx));
  const hosts = { total: r.hosts.length, available: 0, unavailable: 0, unknown: 0, disabled: 0, with_problems: 0 };
  for (const h of r.hosts) {
    if (!h.enabled) hosts.disabled += 1;
    hosts[h.availability] += 1;
    if (h.problems > 0) hosts.with_problems += 1;
  }
  const bySeverity: Record<string, number> = {};
  for (const p of r.problems) bySeverity[p.severity_name] = (bySeverity[p.severity_name] ?? 0) + 1;
  return { version: r.version, hosts, problems: { total: r.problems.length, by_severity: bySeverity, newest: r.problems.slice(0, newest) } };
}
