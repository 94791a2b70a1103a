import crypto from 'node:crypto';
import type { Knex } from 'knex';
import type { ActionContext, Tenant } from './gateway/action';
import { fullPermissions } from './gateway/permissions';
import type { Runtime } from './runtime';

/** The context jobs, the CLI and gateway webhooks act with: a system actor holding every permission. */
export function systemContext(rt: Runtime, tenant: Tenant, db: Knex, name = 'system'): ActionContext {
  const requestId = crypto.randomUUID();
  return {
    db,
    tenant,
    actor: { type: 'system', adminId: null, apiKeyId: null, sessionId: null, username: name, permissions: fullPermissions() },
    requestId,
    ip: '127.0.0.1',
    config: rt.config,
    log: rt.log.child({ request_id: requestId, actor: name, tenant: tenant.slug }),
    secrets: rt.secrets,
    files: [],
    headers: {},
    jobs: rt.jobs.forTenant(tenant, db, name),
    tenants: rt.tenants,
    async getActiveRouterId() {
      return null;
    },
    async setActiveRouterId() {
      /* a system context has no session to remember a router for */
    },
  };
}
