/**
 * The NOC overview: routers up/down (the liveness probe), monitored devices reachable or not (the SNMP cycle), open
 * Zabbix problems when a Zabbix source is saved, and the alerts behind those numbers, worst first. The database is
 * read first; Zabbix is called afterwards, outside any transaction, and a Zabbix that does not answer is reported
 * in `zabbix` without hiding the rest of the board.
 */
import { toIso } from '../../db/knex';
import { isAppError } from '../../errors';
import { routerCounts, statusChecks } from './devices';
import type { MonCtx } from './snmp';
import { zabbixConfigured, zabbixSummary } from './zabbix';

export interface NocAlert {
  source: 'router' | 'snmp' | 'zabbix';
  severity: 'disaster' | 'high' | 'average' | 'warning' | 'information' | 'not_classified';
  target: string | null;
  message: string;
  since: string | null;
}

const RANK = ['disaster', 'high', 'average', 'warning', 'information', 'not_classified'];

export async function nocOverview(ctx: Pick<MonCtx, 'db' | 'secrets' | 'config'>, maxAlerts = 100) {
  const routers = await routerCounts(ctx);
  const checks = await statusChecks(ctx);
  const snmp = checks.filter((c) => c.check === 'snmp');
  const devices = { total: snmp.length, up: snmp.filter((c) => c.status === 'up').length, down: snmp.filter((c) => c.status === 'down').length, unknown: snmp.filter((c) => c.status === 'unknown').length };
  const alerts: NocAlert[] = [];
  for (const c of checks) {
    if (c.status !== 'down') continue;
    if (c.check === 'router_liveness') alerts.push({ source: 'router', severity: 'high', target: c.target, message: `Router ${c.target ?? c.target_id} (${c.host}) is down${c.error ? `: ${c.error}` : ''}.`, since: c.changed_at });
    else alerts.push({ source: 'snmp', severity: 'average', target: c.target, message: `${c.target_type} ${c.target ?? c.target_id} (${c.host}) does not answer SNMP${c.error ? `: ${c.error}` : ''}.`, since: c.checked_at });
  }
  let zabbix: Record<string, unknown> | null = null;
  if (await zabbixConfigured(ctx)) {
    try {
      const z = await zabbixSummary(ctx, maxAlerts);
      zabbix = { ok: true, version: z.version, hosts: z.hosts, problems: { total: z.problems.total, by_severity: z.problems.by_severity } };
      for (const p of z.problems.newest) alerts.push({ source: 'zabbix', severity: p.severity_name, target: p.hosts.map((h) => h.name).join(', ') || null, message: p.name, since: p.started_at });
    } catch (e) {
      if (!isAppError(e)) throw e;
      zabbix = { ok: false, error: e.code, message: e.message };
    }
  }
  alerts.sort((a, b) => RANK.indexOf(a.severity) - RANK.indexOf(b.severity) || String(b.since ?? '').localeCompare(String(a.since ?? '')));
  return { routers, devices, zabbix, alerts: alerts.slice(0, maxAlerts), alert_count: alerts.length, generated_at: toIso(new Date()) };
}
