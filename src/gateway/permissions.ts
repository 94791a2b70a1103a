import { SECTIONS, type Level, type Permissions, type Section } from '../domain/actor';

export { SECTIONS };
export type { Level, Permissions, Section };

/** `'customers.write'`, or an explicit opt-out of the permission check that must be said out loud. */
export type PermissionSpec = `${Section}.${'read' | 'write'}` | { public: true } | { authenticated: true };

const RANK: Record<Level, number> = { none: 0, read: 1, write: 2 };

type ParsedPermission = Readonly<{ section: Section; level: 'read' | 'write' }>;
const PARSED = new Map<string, ParsedPermission>();

/** Parsed once per distinct spec and shared (frozen): the pipeline asks for it several times on every request. */
export function parsePermission(p: PermissionSpec): ParsedPermission | null {
  if (typeof p !== 'string') return null;
  let hit = PARSED.get(p);
  if (!hit) {
    const [section, level] = p.split('.') as [Section, 'read' | 'write'];
    PARSED.set(p, (hit = Object.freeze({ section, level })));
  }
  return hit;
}

export function isValidPermissionSpec(p: unknown): boolean {
  if (p && typeof p === 'object') return (p as { public?: unknown }).public === true || (p as { authenticated?: unknown }).authenticated === true;
  if (typeof p !== 'string') return false;
  const [section, level] = p.split('.');
  return (SECTIONS as readonly string[]).includes(section) && (level === 'read' || level === 'write');
}

export function allows(perms: Permissions, section: Section, level: 'read' | 'write'): boolean {
  return RANK[perms[section] ?? 'none'] >= RANK[level];
}

const FULL: Permissions = Object.freeze(Object.fromEntries(SECTIONS.map((s) => [s, 'write'])) as Permissions);

/** Every section at write: one shared, frozen object (built once, not on every request). */
export function fullPermissions(): Permissions {
  return FULL;
}

export const ROLES = ['superadmin', 'admin', 'operator', 'readonly', 'support', 'billing'] as const;
export type Role = (typeof ROLES)[number];

/** Role presets: an admin given no permissions[] holds exactly these; explicit permissions[] replace them whole. */
export function rolePermissions(role: Role): Permissions {
  const all = fullPermissions();
  switch (role) {
    case 'superadmin':
    case 'admin':
      return all;
    case 'readonly':
      return Object.fromEntries(SECTIONS.map((s) => [s, 'read'])) as Permissions;
    case 'support':
      return { customers: 'read', plans: 'read', radius: 'read', routers: 'read', tickets: 'write', monitoring: 'read' };
    case 'billing':
      return { customers: 'read', plans: 'read', billing: 'write', payments: 'write', einvoice: 'write' };
    case 'operator':
    default:
      return { ...all, admins: 'none', tenants: 'none', api_keys: 'none', settings: 'read', webhooks: 'read' };
  }
}
