/**
 * react-admin's data provider over process.php: each resource names the actions it reads and writes through.
 * Lists the API pages (`meta.total`) are paged by the server; lists it answers whole are filtered, sorted and
 * paged here. API errors become HttpError with the field details, so forms show the API's field errors.
 */
import { HttpError, type DataProvider, type RaRecord } from 'react-admin';
import { ApiError, callAny } from './api/client';

interface ResourceDef {
  list: string;
  /** The list action pages itself (page/per_page, answers meta.total). */
  paged?: boolean;
  listParams?: (filter: Record<string, any>) => Record<string, unknown>;
  one?: string;
  oneParams?: (id: RaRecord['id']) => Record<string, unknown>;
  create?: string;
  update?: string;
  remove?: string;
  removeParams?: (id: RaRecord['id']) => Record<string, unknown>;
  /** Answer rows have no `id` (e.g. sessions): build one. */
  idOf?: (row: any) => RaRecord['id'];
}

export const resources: Record<string, ResourceDef> = {
  customers: {
    list: 'list_customers',
    paged: true,
    listParams: (f) => ({ search: f.q, status: f.status, plan: f.plan, router: f.router }),
    one: 'get_customer',
    create: 'add',
    update: 'edit',
    remove: 'delete',
  },
  plans: { list: 'list_plans', create: 'add_plan', update: 'edit_plan', remove: 'delete_plan' },
  routers: { list: 'list_routers_ui', create: 'add_router', update: 'edit_router', remove: 'delete_router' },
  invoices: {
    list: 'list_invoices',
    paged: true,
    listParams: (f) => ({ customer_id: f.customer_id, status: f.status, month: f.month }),
    one: 'get_invoice',
    remove: 'delete_invoice',
  },
  sessions: {
    list: 'radius_sessions',
    paged: true,
    listParams: (f) => ({ username: f.username, search: f.q, router: f.router }),
    idOf: (r) => r.id ?? r.acct_session_id ?? r.radacctid ?? `${r.username}-${r.acctsessionid ?? r.session_id ?? Math.random()}`,
  },
  inventory: {
    list: 'list_inventory',
    paged: true,
    listParams: (f) => ({ status: f.status, type: f.type, search: f.q }),
    remove: 'delete_inventory_node',
  },
  tenants: { list: 'tenant_list', one: 'tenant_get', create: 'tenant_provision', update: 'tenant_edit', remove: 'tenant_delete' },
  admins: { list: 'list_web_admins', create: 'add_web_admin', update: 'edit_web_admin', remove: 'delete_web_admin' },
  api_keys: { list: 'api_key_list', create: 'api_key_create', remove: 'api_key_revoke' },
  webhooks: { list: 'webhook_list', create: 'webhook_create', remove: 'webhook_delete' },
  payments: {
    list: 'list_payments',
    paged: true,
    listParams: (f) => ({ username: f.username, customer_id: f.customer_id, method: f.method, from: f.from, to: f.to, invoice_no: f.invoice_no, invoice_id: f.invoice_id }),
  },
  tickets: {
    list: 'list_tickets',
    paged: true,
    listParams: (f) => ({ status: f.status, priority: f.priority, assignee: f.assignee, username: f.username, search: f.q }),
    one: 'get_ticket',
    create: 'ticket_create',
    remove: 'ticket_delete',
  },
};

function toHttpError(e: unknown): never {
  if (e instanceof ApiError) {
    const errors = e.details ? Object.fromEntries(Object.entries(e.details).map(([k, v]) => [k, String(v)])) : undefined;
    throw new HttpError(e.message, e.status || 500, { error: e.code, errors, message: e.message });
  }
  throw e;
}

function def(resource: string): ResourceDef {
  const d = resources[resource];
  if (!d) throw new HttpError(`No resource ${resource}`, 404);
  return d;
}

const clean = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== ''));

function withIds(d: ResourceDef, rows: any[]): RaRecord[] {
  return rows.map((r) => (r.id === undefined && d.idOf ? { ...r, id: d.idOf(r) } : r));
}

function matches(row: any, filter: Record<string, any>) {
  return Object.entries(filter).every(([k, v]) => {
    if (v === undefined || v === '') return true;
    if (k === 'q') return JSON.stringify(row).toLowerCase().includes(String(v).toLowerCase());
    return String(row[k]) === String(v);
  });
}

function sortRows(rows: any[], field?: string, order?: string) {
  if (!field) return rows;
  const dir = order === 'DESC' ? -1 : 1;
  return [...rows].sort((a, b) => {
    const x = a[field];
    const y = b[field];
    if (x == null) return 1;
    if (y == null) return -1;
    return (typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y), undefined, { numeric: true })) * dir;
  });
}

async function fetchAll(d: ResourceDef): Promise<RaRecord[]> {
  const r = await callAny(d.list, {});
  const rows = Array.isArray(r.data) ? r.data : (r.data?.items ?? r.data?.keys ?? r.data?.tenants ?? []);
  return withIds(d, rows);
}

/** Only the fields the update action accepts: those that changed. */
function changed(data: Record<string, any>, previous: Record<string, any> | undefined) {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(data)) {
    if (previous && JSON.stringify(previous[k]) === JSON.stringify(v)) continue;
    out[k] = v;
  }
  return out;
}

export const dataProvider: DataProvider = {
  async getList(resource, params) {
    const d = def(resource);
    const { page, perPage } = params.pagination ?? { page: 1, perPage: 25 };
    const { field, order } = params.sort ?? { field: 'id', order: 'ASC' };
    const filter = params.filter ?? {};
    try {
      if (d.paged) {
        const r = await callAny(d.list, clean({ ...(d.listParams?.(filter) ?? {}), page, per_page: perPage }));
        const list = Array.isArray(r.data) ? r.data : (r.data?.items ?? []);
        const rows = sortRows(withIds(d, list), field, order);
        return { data: rows, total: r.meta?.total ?? r.data?.total ?? rows.length, meta: r.meta };
      }
      const all = sortRows((await fetchAll(d)).filter((r) => matches(r, filter)), field, order);
      return { data: all.slice((page - 1) * perPage, page * perPage), total: all.length };
    } catch (e) {
      return toHttpError(e);
    }
  },
  async getOne(resource, params) {
    const d = def(resource);
    try {
      if (d.one) return { data: (await callAny(d.one, d.oneParams?.(params.id) ?? { id: params.id })).data };
      const row = (await fetchAll(d)).find((r) => String(r.id) === String(params.id));
      if (!row) throw new HttpError('Not found', 404);
      return { data: row };
    } catch (e) {
      return toHttpError(e);
    }
  },
  async getMany(resource, params) {
    const d = def(resource);
    try {
      if (d.one && !['plans', 'routers'].includes(resource)) return { data: await Promise.all(params.ids.map(async (id) => (await callAny(d.one!, { id })).data)) };
      const ids = new Set(params.ids.map(String));
      return { data: (await fetchAll(d)).filter((r) => ids.has(String(r.id))) };
    } catch (e) {
      return toHttpError(e);
    }
  },
  async getManyReference(resource, params) {
    return dataProvider.getList(resource, { ...params, filter: { ...params.filter, [params.target]: params.id } });
  },
  async create(resource, params) {
    const d = def(resource);
    if (!d.create) throw new HttpError('This list cannot be added to.', 405);
    try {
      const r = await callAny(d.create, clean(params.data));
      return { data: { ...params.data, ...r.data, id: r.data?.id ?? r.data?.key_id ?? Date.now() } };
    } catch (e) {
      return toHttpError(e);
    }
  },
  async update(resource, params) {
    const d = def(resource);
    if (!d.update) throw new HttpError('This record cannot be edited.', 405);
    try {
      const r = await callAny(d.update, { ...changed(params.data, params.previousData), id: params.id });
      return { data: { ...params.previousData, ...r.data, id: params.id } };
    } catch (e) {
      return toHttpError(e);
    }
  },
  async updateMany(resource, params) {
    for (const id of params.ids) await dataProvider.update(resource, { id, data: params.data, previousData: {} as RaRecord });
    return { data: params.ids };
  },
  async delete(resource, params) {
    const d = def(resource);
    if (!d.remove) throw new HttpError('This record cannot be deleted.', 405);
    try {
      await callAny(d.remove, d.removeParams?.(params.id) ?? { id: params.id });
      return { data: params.previousData ?? ({ id: params.id } as RaRecord) };
    } catch (e) {
      return toHttpError(e);
    }
  },
  async deleteMany(resource, params) {
    for (const id of params.ids) await dataProvider.delete(resource, { id });
    return { data: params.ids };
  },
} as DataProvider;
