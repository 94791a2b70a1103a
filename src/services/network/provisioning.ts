/**
 * A router's part of a subscriber operation: each RouterOS change records how to take it back (`Steps`), so the
 * router step of a service (see steps.ts and customers.ts) can undo its own changes when a later one fails, and
 * be undone as a whole when a step after it fails. Never called inside a database transaction.
 */
import type { Logger } from '../../logger';
import { buildQueueFields } from '../../domain/rate';
import {
  applyLease,
  applyPppProfile,
  applyPppSecret,
  applyQueue,
  kickPppActive,
  MENU,
  removeIfPresent,
  type Undo,
} from '../../adapters/routeros/ops';
import { RouterLink } from '../../adapters/routeros/session';
import { planProfile, routerConnection, speedProfileOf, type CustomerRow, type NetCtx, type PlanRow, type RouterRowDb } from './common';
import { rateLimitForPlan } from './radius';

export class Steps {
  private undos: Array<{ name: string; undo: Undo }> = [];
  readonly done: string[] = [];

  async run<T extends { undo: Undo } | Undo>(name: string, fn: () => Promise<T>): Promise<T> {
    const r = await fn();
    this.undos.push({ name, undo: typeof r === 'function' ? r : r.undo });
    this.done.push(name);
    return r;
  }

  /** Runs every undo, newest first, even when one fails; returns the names that could not be undone. */
  async rollback(log?: Logger): Promise<string[]> {
    const failed: string[] = [];
    for (const { name, undo } of this.undos.reverse()) {
      try {
        await undo();
      } catch (e) {
        failed.push(name);
        log?.error('undo failed; manual clean-up needed', { step: name, err: String((e as Error)?.message ?? e) });
      }
    }
    this.undos = [];
    return failed;
  }
}


/** Routers the caller talks to during one operation, each opened once and closed at the end. */
export class RouterLinks {
  private links = new Map<number, RouterLink>();
  constructor(private readonly ctx: NetCtx) {}

  for(r: RouterRowDb): RouterLink {
    let l = this.links.get(r.id);
    if (!l) {
      l = new RouterLink(routerConnection(this.ctx, r));
      this.links.set(r.id, l);
    }
    return l;
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.links.values()].map((l) => l.close().catch(() => undefined)));
    this.links.clear();
  }
}

const comment = (c: Pick<CustomerRow, 'id'>) => `ispgate customer ${c.id}`;

/**
 * An api-mode router gets: the plan's PPP profile (rate-limit), the PPP secret (profile, remote address for a
 * static IP, disabled while suspended), a simple queue for a static IP, a static DHCP lease for MAC + IP.
 * `previous` is the subscriber as the router last saw them, so renames move items and stale ones go.
 */
export async function provisionCustomer(
  steps: Steps,
  link: RouterLink,
  c: CustomerRow,
  plan: PlanRow,
  previous?: Pick<CustomerRow, 'username' | 'mac_address' | 'static_ip'>,
): Promise<void> {
  const profile = planProfile(plan.id);
  await steps.run('ppp profile', () => applyPppProfile(link, profile, rateLimitForPlan(plan)));
  await steps.run('ppp secret', () =>
    applyPppSecret(
      link,
      {
        name: c.username,
        password: c.password,
        profile,
        remoteAddress: c.static_ip,
        disabled: c.status === 'suspended',
        comment: comment(c),
      },
      previous?.username,
    ),
  );
  if (c.static_ip) {
    await steps.run('simple queue', () =>
      applyQueue(
        link,
        { name: c.username, target: `${c.static_ip}/32`, fields: buildQueueFields(speedProfileOf(plan)), comment: comment(c) },
        previous?.username,
      ),
    );
  } else if (previous) {
    await steps.run('remove simple queue', () => removeIfPresent(link, MENU.queue, 'name', previous.username));
  }
  if (previous?.mac_address && previous.mac_address !== c.mac_address) {
    await steps.run('remove old dhcp lease', () => removeIfPresent(link, MENU.lease, 'mac-address', previous.mac_address!));
  }
  if (c.mac_address && c.static_ip) {
    await steps.run('dhcp lease', () => applyLease(link, { macAddress: c.mac_address!, address: c.static_ip!, comment: comment(c) }));
  } else if (c.mac_address && previous?.mac_address === c.mac_address) {
    await steps.run('remove dhcp lease', () => removeIfPresent(link, MENU.lease, 'mac-address', c.mac_address!));
  }
}

/** Everything ispgate put on the router for this subscriber goes; undo puts it back. */
export async function deprovisionCustomer(steps: Steps, link: RouterLink, c: Pick<CustomerRow, 'username' | 'mac_address'>) {
  await steps.run('remove ppp secret', () => removeIfPresent(link, MENU.pppSecret, 'name', c.username));
  await steps.run('remove simple queue', () => removeIfPresent(link, MENU.queue, 'name', c.username));
  if (c.mac_address) await steps.run('remove dhcp lease', () => removeIfPresent(link, MENU.lease, 'mac-address', c.mac_address!));
}

/**
 * The plan profiles ispgate made on a router (one per plan, shared by its subscribers); used when the router
 * itself is removed, after its subscribers. Undo puts them back.
 */
export async function removePlanProfiles(steps: Steps, link: RouterLink): Promise<number> {
  const rows = await link.write(`${MENU.pppProfile}/print`);
  const ours = rows.map((r) => r.name).filter((n): n is string => typeof n === 'string' && /^ispgate-plan-\d+$/.test(n));
  for (const name of ours) await steps.run(`remove ppp profile ${name}`, () => removeIfPresent(link, MENU.pppProfile, 'name', name));
  return ours.length;
}

/** Queue speed only (plan edits): returns true when the queue exists and now carries the plan's speed. */
export async function reapplyQueue(link: RouterLink, c: CustomerRow, plan: PlanRow): Promise<void> {
  await applyPppProfile(link, planProfile(plan.id), rateLimitForPlan(plan));
  if (c.static_ip) {
    await applyQueue(link, { name: c.username, target: `${c.static_ip}/32`, fields: buildQueueFields(speedProfileOf(plan)), comment: comment(c) });
  }
}

export async function kickOnRouter(link: RouterLink, username: string): Promise<number> {
  return kickPppActive(link, username);
}
