/** ispgate records → ISPBills JSON shapes (amounts in major units, as ISPBills sends them). */

type Rec = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const major = (cents: unknown) => Math.round(Number(cents)) / 100;

/** Connection type and ONU MAC live in the subscriber's custom fields: ispgate has no column of its own for them. */
export function customerV2(c: Rec): Rec {
  const custom = (c.custom_fields ?? {}) as Record<string, string>;
  return {
    id: c.id,
    name: c.fullname ?? c.username,
    username: c.username,
    email: c.email ?? null,
    phone: c.phone ?? null,
    address: c.address ?? null,
    package: c.plan_id ? { id: c.plan_id, name: c.plan ?? null } : null,
    connection_type: custom.connection_type ?? 'pppoe',
    onu_mac: custom.onu_mac ?? null,
    status: c.status,
    created_at: c.created_at,
    updated_at: c.updated_at,
  };
}

export function customerV1(c: Rec): Rec {
  const v2 = customerV2(c);
  return { ...v2, package: c.plan ?? null, package_id: c.plan_id ?? null };
}

export function bill(inv: Rec): Rec {
  const firstLine = Array.isArray(inv.lines) && inv.lines.length ? inv.lines[0].description : null;
  return {
    id: inv.id,
    customer_id: inv.customer_id,
    invoice_no: inv.invoice_no,
    amount: major(inv.total_cents),
    paid_amount: major(inv.paid_cents),
    due_amount: major(Number(inv.total_cents) - Number(inv.paid_cents)),
    currency: inv.currency,
    status: inv.status,
    issue_date: inv.issue_date,
    due_date: inv.due_date,
    description: inv.notes ?? firstLine,
    paid_at: inv.paid_at ?? null,
    created_at: inv.created_at,
  };
}

export function payment(p: Rec): Rec {
  return {
    id: Number(p.id),
    customer_id: Number(p.customer_id),
    bill_id: Number(p.invoice_id),
    amount: major(p.amount_cents),
    currency: p.currency ?? null,
    method: p.method,
    transaction_id: p.reference ?? null,
    paid_at: p.paid_on ? String(p.paid_on).slice(0, 10) : null,
    created_at: p.created_at,
  };
}

export function packageOf(p: Rec): Rec {
  return {
    id: p.id,
    name: p.name,
    price: major(p.price_cents),
    download: p.download,
    upload: p.upload,
    download_bps: p.download_bps,
    upload_bps: p.upload_bps,
    customers: p.subscribers ?? null,
    created_at: p.created_at,
    updated_at: p.updated_at,
  };
}

export function routerOf(r: Rec): Rec {
  return {
    id: r.id,
    name: r.name,
    ip: r.ip,
    api_port: r.port,
    mode: r.mode,
    status: r.last_error ? 'error' : r.last_seen_at ? 'online' : 'unknown',
    last_seen_at: r.last_seen_at ?? null,
    created_at: r.created_at,
  };
}

export function subscription(c: Rec, plan: Rec | undefined): Rec {
  return {
    id: c.id,
    customer_id: c.id,
    package: plan ? { id: plan.id, name: plan.name } : null,
    price: plan ? major(plan.price_cents) : null,
    status: c.status,
    started_at: c.activated_at ?? c.created_at,
  };
}

export function vpnAccount(t: Rec): Rec {
  return { id: t.id, name: t.name, customer_id: t.customer_id, router_id: t.router_id, address: t.address, endpoint: t.endpoint, public_key: t.public_key, status: t.status, created_at: t.created_at };
}
