/**
 * Who acts, and for which tenant: the identity every layer shares (gateway, services, jobs, CLI, db registry).
 * Pure types and data, no IO and no HTTP.
 */

/** Every permission section an admin can be granted none, read or write on. */
export const SECTIONS = [
  'customers', 'plans', 'billing', 'payments', 'einvoice', 'radius', 'routers', 'network', 'topology', 'inventory',
  'monitoring', 'voip', 'wireguard', 'tickets', 'ai', 'notifications', 'admins', 'tenants', 'settings', 'webhooks', 'api_keys',
] as const;
export type Section = (typeof SECTIONS)[number];
export type Level = 'none' | 'read' | 'write';
export type Permissions = Partial<Record<Section, Level>>;

export interface Tenant {
  id: number | null; // null: the default tenant living in the main database
  slug: string;
  name: string;
  /** Plan limits of a provisioned tenant (null: unlimited); checked by services/tenants assertTenantCapacity. */
  limits?: { max_subscribers: number | null; max_routers: number | null };
}

export interface Actor {
  type: 'api_key' | 'session' | 'system' | 'anonymous';
  adminId: number | null;
  apiKeyId: number | null;
  sessionId: number | null;
  username: string | null;
  /** Primary/super admins and keys without an admin hold every permission. */
  permissions: Permissions;
}
