import { z } from 'zod';
import { defineAction } from '../../gateway/action';
import { blank, bool, clearableText, id, optionalText, stringList, text, strictInt, optionalTimezone } from '../../gateway/fields';
import { deleteTenant, deleteTenantExport, downloadTenantExport, editTenant, getTenant, listTenantExports, listTenants, provisionTenant, setTenantStatus } from '../../services/tenants';
import { SLUG_RE } from '../../services/tenants/storage';

const slug = z.string().trim().regex(SLUG_RE, 'must be 2-31 lower-case letters, digits or "-", starting with a letter');
const colour = z.preprocess((v) => (v === '' ? null : v), z.string().trim().regex(/^#[0-9a-fA-F]{6}$/, 'must be a colour like #1a73e8').nullable().optional());
const language = z.preprocess(blank, z.enum(['el', 'en', 'de', 'fr', 'it', 'es', 'bg', 'ro', 'sq', 'tr']).optional());
const timezone = optionalTimezone;
/** A limit: a positive whole number; "" on edit clears it (unlimited). */
const limit = z.preprocess((v) => (v === '' ? null : v), z.preprocess(strictInt, z.number().int().min(0).max(10_000_000)).nullable().optional());
const domains = stringList.refine((d) => d.length <= 20, 'at most 20 domains');
/** A tenant by id or slug. */
const ref = { id: z.preprocess(blank, id.optional()), slug: z.preprocess(blank, slug.optional()) };

export const tenantProvision = defineAction({
  name: 'tenant_provision',
  section: 'tenants',
  summary: 'Provision an isolated ISP: its own database (and DB user), domains, branding, first admin and API key (shown once)',
  input: z.object({
    slug,
    name: text(191),
    domains,
    company_name: clearableText(191),
    primary_color: colour,
    secondary_color: colour,
    language,
    timezone,
    admin_username: text(64).regex(/^[A-Za-z0-9._@-]+$/, 'letters, digits and . _ @ - only'),
    admin_email: z.string().trim().email().max(191),
    admin_password: z.preprocess(blank, z.string().min(10, 'at least 10 characters').max(255).optional()),
    max_subscribers: limit,
    max_routers: limit,
  }),
  permission: 'tenants.write',
  rateClass: 'bulk',
  async run(ctx, input) {
    return provisionTenant(ctx, { ...input, company_name: input.company_name ?? undefined }, { files: ctx.files });
  },
});

export const tenantList = defineAction({
  name: 'tenant_list',
  section: 'tenants',
  summary: 'List tenants (platform operators only)',
  input: z.object({ status: z.preprocess(blank, z.enum(['active', 'suspended', 'provisioning']).optional()), search: optionalText(64) }),
  permission: 'tenants.read',
  rateClass: 'standard',
  methods: ['GET', 'POST'],
  async run(ctx, input) {
    return listTenants(ctx, input);
  },
});

export const tenantGet = defineAction({
  name: 'tenant_get',
  section: 'tenants',
  summary: 'One tenant with subscriber and router counts, database size and last activity',
  input: z.object(ref),
  permission: 'tenants.read',
  rateClass: 'standard',
  methods: ['GET', 'POST'],
  async run(ctx, input) {
    return getTenant(ctx, input);
  },
});

export const tenantEdit = defineAction({
  name: 'tenant_edit',
  section: 'tenants',
  summary: "Change a tenant's name, domains, branding (logo/favicon uploads), language, time zone or limits",
  input: z.object({
    ...ref,
    name: z.preprocess(blank, text(191).optional()),
    domains: z.preprocess(blank, domains.optional()),
    company_name: clearableText(191),
    primary_color: colour,
    secondary_color: colour,
    language,
    timezone,
    max_subscribers: limit,
    max_routers: limit,
  }),
  permission: 'tenants.write',
  rateClass: 'standard',
  async run(ctx, input) {
    return editTenant(ctx, input, ctx.files);
  },
});

export const tenantSuspend = defineAction({
  name: 'tenant_suspend',
  section: 'tenants',
  summary: "Suspend a tenant: its API answers tenant_suspended and its jobs stop; its RADIUS rows stay unless cut_service=1 (a job: every active subscriber suspended and disconnected)",
  input: z.object({ ...ref, cut_service: z.preprocess(blank, bool.optional()) }),
  permission: 'tenants.write',
  rateClass: 'standard',
  async run(ctx, input) {
    return setTenantStatus(ctx, input, 'suspended', { cutService: input.cut_service });
  },
});

export const tenantResume = defineAction({
  name: 'tenant_resume',
  section: 'tenants',
  summary: 'Resume a suspended tenant; subscribers its suspension cut get their service back (a job)',
  input: z.object(ref),
  permission: 'tenants.write',
  rateClass: 'standard',
  async run(ctx, input) {
    return setTenantStatus(ctx, input, 'active');
  },
});

export const tenantDelete = defineAction({
  name: 'tenant_delete',
  section: 'tenants',
  summary: 'Delete a suspended tenant with its database, user and files; export=1 writes a dump first (answered as export.id for tenant_export_download)',
  input: z.object({ ...ref, export: z.preprocess(blank, bool.optional()) }),
  permission: 'tenants.write',
  rateClass: 'bulk',
  async run(ctx, input) {
    return deleteTenant(ctx, input, { export: input.export });
  },
});

// Dumps hold the tenant's secrets (sealed router passwords, RADIUS secrets, password hashes): listing, downloading
// and removing them need tenants.write, and every call is audited.
export const tenantExports = defineAction({
  name: 'tenant_exports',
  section: 'tenants',
  summary: 'Dumps written by tenant_delete export=1 on this server, newest first (platform operators with tenants.write)',
  input: z.object({ slug: ref.slug }),
  permission: 'tenants.write',
  rateClass: 'standard',
  methods: ['GET', 'POST'],
  async run(ctx, input) {
    return listTenantExports(ctx, input);
  },
});

export const tenantExportDownload = defineAction({
  name: 'tenant_export_download',
  section: 'tenants',
  summary: "A tenant's dump as a file (gzip'd JSON lines, one {table,row} per line; X-Checksum-Sha256), not in the JSON envelope",
  input: z.object({ id }),
  permission: 'tenants.write',
  rateClass: 'standard',
  methods: ['GET', 'POST'],
  async run(ctx, input) {
    return downloadTenantExport(ctx, input.id);
  },
});

export const tenantExportDelete = defineAction({
  name: 'tenant_export_delete',
  section: 'tenants',
  summary: "Remove a tenant's dump from this server once it is kept elsewhere",
  input: z.object({ id }),
  permission: 'tenants.write',
  rateClass: 'standard',
  async run(ctx, input) {
    return deleteTenantExport(ctx, input.id);
  },
});

export const tenantActions = [tenantProvision, tenantList, tenantGet, tenantEdit, tenantSuspend, tenantResume, tenantDelete, tenantExports, tenantExportDownload, tenantExportDelete];
