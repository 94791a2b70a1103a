import crypto from 'node:crypto';
import type { Knex } from 'knex';
import type { ActionContext } from './gateway/action';
import { fullPermissions } from './gateway/permissions';
import type { Runtime } from './runtime';
import { systemClock, type ServiceContext, type Tenant } from './services/context';

/** The service context jobs and the CLI act with: a system actor holding every permission. */
export function serviceContext(rt: Runtime, tenant: Tenant, db: Knex, name = 'system', requestId: string = crypto.randomUUID()): ServiceContext & { db: Knex } {
  return {
    db,
    tenant,
    actor: { type: 'system', adminId: null, apiKeyId: null, sessionId: null, username: name, permissions: fullPermissions() },
    config: rt.config,
    log: rt.log.child({ request_id: requestId, actor: name, tenant: tenant.slug }),
    secrets: rt.secrets,
    jobs: rt.jobs.forTenant(tenant, db, name),
    clock: systemClock,
  };
}

/** A system context with the (empty) request parts, for code that runs actions: gateway webhooks, the CLI, tests. */
export function systemContext(rt: Runtime, tenant: Tenant, db: Knex, name = 'system'): ActionContext {
  const requestId = crypto.randomUUID();
  return {
    ...serviceContext(rt, tenant, db, name, requestId),
    requestId,
    ip: '127.0.0.1',
    files: [],
    headers: {},
    tenants: rt.tenants,
    async getActiveRouterId() {
      return null;
    },
    async setActiveRouterId() {
      /* a system context has no session to remember a router for */
    },
  };
}
