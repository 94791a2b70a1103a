/**
 * What this installation offers and what the signed-in admin may do: the actions `describe` publishes (a screen
 * whose actions are absent is hidden) and the permissions `me` returns (what may not be done is not offered).
 */
import { call } from './client';

export interface DescribedAction {
  action: string;
  section: string;
  summary: string;
  permission: string | { public?: boolean; authenticated?: boolean };
  input: unknown;
}

export interface Me {
  type: string;
  username: string;
  admin: { id: number; username: string; email: string | null; role: string; two_factor_enabled: boolean; is_primary: boolean } | null;
  permissions: Record<string, string>;
  tenant: string;
}

export interface Capabilities {
  me: Me;
  actions: Map<string, DescribedAction>;
  /** The action exists on this server and the admin's permissions allow it. */
  can(action: string): boolean;
  /** The action exists on this server (whatever the permissions). */
  has(action: string): boolean;
}

const rank: Record<string, number> = { none: 0, read: 1, write: 2 };

export function allows(perms: Record<string, string>, spec: DescribedAction['permission']): boolean {
  if (typeof spec !== 'string') return true;
  const [section, level] = spec.split('.');
  return (rank[perms[section] ?? 'none'] ?? 0) >= (rank[level] ?? 2);
}

let cached: Promise<Capabilities> | null = null;

export function loadCapabilities(force = false): Promise<Capabilities> {
  if (!cached || force) {
    cached = (async () => {
      const [me, described] = await Promise.all([call('me'), call('describe')]);
      const actions = new Map<string, DescribedAction>((described.data as DescribedAction[]).map((a) => [a.action, a]));
      const perms = (me.data as Me).permissions ?? {};
      return {
        me: me.data as Me,
        actions,
        has: (a: string) => actions.has(a),
        can: (a: string) => {
          const d = actions.get(a);
          return !!d && allows(perms, d.permission);
        },
      };
    })();
    cached.catch(() => (cached = null));
  }
  return cached;
}

export function forgetCapabilities() {
  cached = null;
}
