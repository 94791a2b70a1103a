/**
 * The operator panel (panel/, built into public/ by `npm run build:panel`, which pretest runs) in Debian's
 * Chromium driven by playwright-core, against a real server on SQLite. One walk through the flows, in order,
 * with a screenshot per screen under test-artifacts/panel/ and an axe-core check on the main screens.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { execFileSync } from 'node:child_process';
import { authenticator } from 'otplib';
import { chromium, type Browser, type Page } from 'playwright-core';
import AxeBuilder from '@axe-core/playwright';
import { makeTestApp, type TestApp } from '../helpers/app';
import { testDialect } from '../helpers/db';
import { startReceiver } from '../fakes/webhook-receiver';
import { noteSkip, testIf } from '../helpers/skip';
import { cleanupTenants, randomSlug } from '../api/tenants/helpers';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const present = fs.existsSync(CHROMIUM);
if (!present && process.env.CI) throw new Error(`${CHROMIUM} is missing: CI installs Debian's chromium for the panel test`);
const onSqlite = testDialect() === 'sqlite';
const enabled = present && onSqlite;
// Each step says why it is skipped (the skip reporter reads the reason from the test's name).
const step = testIf(enabled, !present ? `no ${CHROMIUM}` : 'SQLite only: the panel only drives the API, which is tested on both databases elsewhere');

const ROOT = path.resolve(__dirname, '../..');
const ARTIFACTS = path.join(ROOT, 'test-artifacts/panel');
const STEP = 30_000;

describe('the operator panel in a real browser', () => {
  let t: TestApp;
  let server: Server;
  let browser: Browser;
  let base: string;
  let page: Page;
  let actions: Set<string>;
  const axeFindings: string[] = [];

  async function shot(name: string) {
    await page.waitForTimeout(300); // let transitions finish for a readable picture (not an assertion)
    await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
  }

  async function axe(screen: string) {
    // Contrast is judged on what stays on screen: a notification still fading in reads as low contrast.
    await page.evaluate('Promise.all(document.getAnimations().map((a) => a.finished.catch(() => null))).then(() => true)');
    const r = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa']).analyze();
    for (const v of r.violations) {
      if (v.impact === 'serious' || v.impact === 'critical') axeFindings.push(`${screen}: ${v.id} (${v.impact}) ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')}`);
    }
  }

  async function go(hash: string) {
    await page.goto(`${base}/#${hash}`);
  }

  beforeAll(async () => {
    if (!enabled) return;
    // pretest builds the panel; a direct `npx jest` of this file builds it here (skips when up to date).
    execFileSync(process.execPath, [path.join(ROOT, 'panel/scripts/build.mjs')], { cwd: ROOT, stdio: 'inherit' });
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    // one failed attempt kills a delivery, so the delivery log has a dead one to redeliver
    t = await makeTestApp({ env: { WEBHOOK_MAX_ATTEMPTS: '1' } });
    // English for the walk (the installation default is Greek); the last step switches to Greek in the panel.
    expect((await t.call('save_settings', { language: 'en', company_name: 'Acme Net' })).ok).toBe(true);
    actions = new Set(((await t.call('describe')).data as Array<{ action: string }>).map((a) => a.action));
    server = t.app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    const context = await browser.newContext({ viewport: { width: 1280, height: 860 }, locale: 'en-GB', acceptDownloads: true, reducedMotion: 'reduce' });
    page = await context.newPage();
    page.setDefaultTimeout(STEP);
  }, 180_000);

  afterEach(async () => {
    if (!enabled) return;
    // the screen each step ended on (kept with the artifacts; the picture to look at when a step fails)
    const name = expect.getState().currentTestName?.replace(/\W+/g, '-').slice(-60) ?? 'step';
    await page?.screenshot({ path: path.join(ARTIFACTS, `end-${name}.png`), fullPage: true }).catch(() => undefined);
  });

  afterAll(async () => {
    await browser?.close();
    if (server) await new Promise((r) => server.close(r));
    if (t) await cleanupTenants(t);
    await t?.close();
  });

  step('serves the panel and /favicon.ico from ispgate itself (no CDN)', async () => {
    const html = await (await fetch(base + '/')).text();
    expect(html).toContain('<div id="root">');
    expect(html).not.toMatch(/https?:\/\/(?!127\.0\.0\.1)/);
    const ico = await fetch(base + '/favicon.ico');
    expect(ico.status).toBe(200);
    expect(Buffer.from(await ico.arrayBuffer()).subarray(0, 4)).toEqual(Buffer.from([0, 0, 1, 0]));
  });

  step('sign in with 2FA', async () => {
    expect((await t.call('add_web_admin', { username: 'alice', password: 'alice-password-1', role: 'superadmin' })).ok).toBe(true);
    const key = (await t.call('api_key_create', { name: 'alice', admin: 'alice' })).data.key;
    const secret = (await t.call('start_2fa_enroll', {}, { key })).data.secret;
    expect((await t.call('finish_2fa_enroll', { code: authenticator.generate(secret) }, { key })).ok).toBe(true);

    await page.goto(base + '/');
    await page.waitForSelector('#username');
    await shot('01-sign-in');
    await axe('sign in');
    await page.fill('#username', 'alice');
    await page.fill('#password', 'wrong-password');
    await page.click('button[type=submit]');
    await page.waitForSelector('#login-error:has-text("wrong")');

    await page.fill('#password', 'alice-password-1');
    await page.click('button[type=submit]');
    await page.waitForSelector('#code');
    await shot('02-sign-in-code');
    // the code of the next period (inside the accepted window): enrolment already used the current one
    await page.fill('#code', authenticator.clone({ epoch: Date.now() + 30_000 }).generate(secret));
    await page.click('button[type=submit]');
    await page.waitForSelector('#dashboard-tiles [data-tile=active]');
    await shot('03-dashboard');
    await axe('dashboard');
    // the panel holds a real session row (cookie + CSRF, as any panel client)
    const alice = await t.db('admins').where({ username: 'alice' }).first();
    expect(await t.db('sessions').where({ admin_id: alice.id }).first()).toBeDefined();
  }, 120_000);

  step('create a plan, a router and a subscriber through the forms and find them in the lists', async () => {
    await go('/plans/create');
    await page.fill('[name=name]', 'Fiber 200');
    await page.fill('[name=download]', '200M');
    await page.fill('[name=upload]', '50M');
    await page.fill('[name=price]', '30.00');
    await shot('04-plan-create');
    await page.click('button[type=submit]');
    await page.waitForSelector('td:has-text("Fiber 200")');
    await shot('05-plans');
    await axe('plans');
    const plan = await t.db('plans').where({ name: 'Fiber 200' }).first();
    expect(plan).toMatchObject({ price_cents: 3000 });

    await go('/routers/create');
    await page.fill('[name=name]', 'edge-1');
    await page.fill('[name=ip]', '127.0.0.1');
    await page.fill('[name=user]', 'api');
    await page.fill('[name=pass]', 'api-secret');
    await page.fill('[name=radius_secret]', 'radius-secret');
    await page.click('button[type=submit]');
    await page.waitForSelector('td:has-text("edge-1")');
    await shot('06-routers');
    expect(await t.db('routers').where({ name: 'edge-1' }).first()).toBeDefined();

    // router_health on the row: edge-1 answers by no source here (no RouterOS behind 127.0.0.1, no SNMP), so the
    // panel shows each source's error instead of breaking; the refresh button asks again.
    if (actions.has('router_health')) {
      await page.locator('tr:has(td:has-text("edge-1")) [aria-label="Expand"]').click();
      const health = page.locator('[data-router-health][data-state=error]');
      await health.waitFor();
      expect(await health.locator('[data-error]').count()).toBeGreaterThan(0);
      await health.getByRole('button', { name: /Refresh the health of edge-1/ }).click();
      await page.locator('[data-router-health][data-state=error] [data-error]').first().waitFor();
      await shot('06b-router-health');
      await axe('router health');
    }

    // the API's field errors come back onto the form
    await go('/customers/create');
    await page.fill('[name=username]', 'maria');
    await page.fill('[name=password]', 'x');
    await page.fill('[name=fullname]', 'Maria Papadopoulou');
    await page.getByRole('combobox', { name: 'Plan' }).fill('Fiber');
    await page.click('[role=option]:has-text("Fiber 200")');
    await page.fill('[name=email]', 'maria@example.invalid');
    await page.fill('[name=static_ip]', 'not-an-ip');
    await page.click('button[type=submit]');
    await page.waitForSelector('.MuiFormHelperText-root.Mui-error');
    await shot('07-customer-create-errors');
    await page.fill('[name=static_ip]', '');
    await page.fill('[name=password]', 'maria-pass-1234');
    await page.click('button[type=submit]');
    await page.waitForURL(/#\/customers\/\d+\/show/);
    const customer = await t.db('customers').where({ username: 'maria' }).first();
    expect(customer).toMatchObject({ fullname: 'Maria Papadopoulou', plan_id: plan.id, status: 'active' });

    await go('/customers');
    await page.fill('input[name=q]', 'maria');
    await page.waitForSelector('td:has-text("Maria Papadopoulou")');
    await shot('08-customers');
    await axe('subscribers');
  }, 180_000);

  step('suspend and unsuspend from the subscriber page', async () => {
    const customer = await t.db('customers').where({ username: 'maria' }).first();
    await go(`/customers/${customer.id}/show`);
    await page.waitForSelector('text=Maria Papadopoulou');
    await shot('09-customer-page');
    await axe('subscriber page');
    await page.click('button:has-text("Suspend")');
    await page.waitForSelector('[role=dialog]:has-text("disconnected")');
    await shot('10-suspend-confirm');
    await page.click('[role=dialog] button:has-text("Confirm")');
    await page.waitForSelector('.MuiChip-root:has-text("suspended")');
    expect((await t.db('customers').where({ id: customer.id }).first()).status).toBe('suspended');

    await page.click('button:has-text("Unsuspend")');
    await page.click('[role=dialog] button:has-text("Confirm")');
    await page.waitForSelector('.MuiChip-root:has-text("active")');
    expect((await t.db('customers').where({ id: customer.id }).first()).status).toBe('active');
    await shot('11-customer-unsuspended');
  }, 120_000);

  step('generate a month with its progress bar, open the invoice and download its PDF', async () => {
    // The month in the installation's calendar (Europe/Athens), not UTC's: from 22:00 UTC on the last day of a
    // month it is already the next one there, and the subscriber made "today" was activated in it.
    const month = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Athens', year: 'numeric', month: '2-digit' }).format(new Date()).slice(0, 7);
    await go('/generate');
    // the form starts on that month by itself
    expect(await page.inputValue('#generate-month')).toBe(month);
    await page.click('button:has-text("Generate invoices")');
    await page.click('[role=dialog] button:has-text("Confirm")');
    await page.waitForSelector('#generate-progress');
    await page.waitForSelector('#generate-progress[data-done=yes]', { timeout: 90_000 });
    expect(await page.textContent('#generate-progress-label')).toMatch(/1 created/);
    // the bar was fed by job_status: the run is a job row that completed
    const jobId = await page.getAttribute('#generate-progress', 'data-job');
    if (actions.has('job_status') && jobId) expect((await t.db('jobs').where({ id: jobId }).first())?.state).toBe('completed');
    await shot('12-generate-month');
    const customer = await t.db('customers').where({ username: 'maria' }).first();
    const invoice = await t.db('invoices').where({ customer_id: customer.id, period: month }).first();
    expect(invoice).toMatchObject({ total_cents: expect.any(Number) });

    await go('/invoices');
    await page.waitForSelector(`td:has-text("${invoice.series}")`);
    await shot('13-invoices');
    await axe('invoices');
    await go(`/invoices/${invoice.id}/show`);
    await page.waitForSelector('text=Fiber 200');
    await shot('14-invoice');
    if (!actions.has('invoice_pdf')) {
      noteSkip('PDF download: the action invoice_pdf is not on this server');
      return;
    }
    const [dl] = await Promise.all([page.waitForEvent('download'), page.click('button:has-text("Download PDF")')]);
    const file = path.join(ARTIFACTS, 'invoice.pdf');
    await dl.saveAs(file);
    expect(fs.readFileSync(file).subarray(0, 5).toString()).toBe('%PDF-');
  }, 180_000);

  step('open a ticket, reply, close it', async () => {
    const missing = ['ticket_create', 'list_tickets', 'get_ticket', 'ticket_reply', 'ticket_close'].filter((a) => !actions.has(a));
    if (missing.length) {
      noteSkip(`helpdesk flow: ${missing.join(', ')} not on this server (the screen is hidden)`);
      await go('/');
      await page.waitForSelector('#dashboard-tiles [data-tile=active]');
      expect(await page.locator('a[href="#/tickets"]').count()).toBe(0);
      return;
    }
    await go('/tickets/create');
    await page.fill('[name=username]', 'maria');
    await page.fill('[name=subject]', 'No internet since morning');
    await page.fill('[name=body]', 'The router light is red.');
    await page.click('button[type=submit]');
    await page.waitForURL(/#\/tickets\/\d+\/show/);
    await page.waitForSelector('text=The router light is red.');
    const ticket = await t.db('tickets').where({ subject: 'No internet since morning' }).first();
    expect(ticket).toBeDefined();

    await page.fill('#ticket-reply', 'We are looking at it.');
    await page.click('button:has-text("Send reply")');
    await page.waitForSelector('[data-kind] >> text=We are looking at it.');
    expect(await t.db('ticket_messages').where({ ticket_id: ticket.id, body: 'We are looking at it.' }).first()).toBeDefined();

    // a reply with an attachment (sent over the API): the thread lists it as a link whose download, made by the
    // browser with its session cookie alone, is the file's own bytes under its own name
    if (actions.has('ticket_attachment')) {
      const bytes = Buffer.from('%PDF-1.4\n%panel attachment\n');
      const form = new FormData();
      form.set('action', 'ticket_reply');
      form.set('id', String(ticket.id));
      form.set('body', 'The invoice you asked for.');
      form.set('file', new Blob([bytes], { type: 'application/pdf' }), 'invoice-2026.pdf');
      const sent = (await (await fetch(`${base}/mikrotik/process.php`, { method: 'POST', headers: { Authorization: `Bearer ${t.key}` }, body: form })).json()) as { ok: boolean };
      expect(sent.ok).toBe(true);
      await page.reload();
      const link = page.getByRole('link', { name: 'invoice-2026.pdf' });
      await link.waitFor();
      const [dl] = await Promise.all([page.waitForEvent('download'), link.click()]);
      expect(dl.suggestedFilename()).toBe('invoice-2026.pdf');
      expect(fs.readFileSync(await dl.path())).toEqual(bytes);
    }
    await shot('15a-ticket');
    await axe('ticket');

    await page.click('button:has-text("Close ticket")');
    await page.click('[role=dialog] button:has-text("Confirm")');
    await page.waitForSelector('.MuiChip-root[data-status=closed]');
    expect((await t.db('tickets').where({ id: ticket.id }).first()).status).toBe('closed');
    await go('/tickets');
    await page.waitForSelector('td:has-text("No internet since morning")');
    await shot('15b-helpdesk-inbox');
  }, 120_000);

  step('suspend a tenant cutting its service, follow the job, resume it', async () => {
    const missing = ['tenant_list', 'tenant_provision', 'tenant_suspend', 'tenant_resume', 'job_status'].filter((a) => !actions.has(a));
    expect(missing).toEqual([]);
    const slug = randomSlug('panel');
    expect(await t.call('tenant_provision', { slug, name: 'Panel Tenant', domains: [`${slug}.test`], admin_username: 'boss', admin_email: 'boss@example.com' })).toMatchObject({ ok: true });
    await go('/tenants');
    const row = page.locator(`tr:has(td:has-text("${slug}"))`);
    await row.getByRole('button', { name: 'Suspend' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('checkbox').check();
    await dialog.locator('text=is suspended and disconnected').waitFor();
    await shot('20a-tenant-suspend-confirm');
    await axe('tenant suspend dialog');
    await dialog.getByRole('button', { name: 'Suspend' }).click();
    await row.locator('[data-job][data-state=completed]').waitFor();
    const tenant = await t.db('tenants').where({ slug }).first();
    expect(tenant).toMatchObject({ status: 'suspended' });
    expect(tenant.service_cut_at).not.toBeNull();
    await shot('20b-tenant-suspended-job-done');
    await axe('tenants');

    await row.getByRole('button', { name: 'Resume' }).click();
    await page.click('[role=dialog] button:has-text("Confirm")');
    await row.locator(`[data-job]:not([data-job="${tenant.service_job_id}"])[data-state=completed]`).waitFor();
    expect(await t.db('tenants').where({ slug }).first()).toMatchObject({ status: 'active' });
    await shot('20c-tenant-resumed');
  }, 120_000);

  step('the other screens open without errors (those whose actions exist on this server)', async () => {
    const screens: Array<[string, string, string]> = [
      ['/account', 'list_web_admins', '#twofa-state'],
      ['/settings', 'get_settings', '#settings-company_name'],
      ['/settings/billing', 'get_billing_settings', 'text=Billing settings'],
      ['/network', 'get_network_settings', '#net-pools'],
      ['/inventory', 'list_inventory', 'text=Inventory'],
      ['/notifications', 'list_notifications', '#notify-segment'],
      ['/assistant', 'ai_ask', '#ai-question'],
      ['/topology', 'get_topology', '#topology-summary'],
      ['/monitoring', 'snmp_history', '#mon-device'],
    ];
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    for (const [hash, action, ready] of screens) {
      if (!actions.has(action)) {
        noteSkip(`${hash}: ${action} not on this server (the screen is hidden)`);
        continue;
      }
      await go(hash);
      await page.waitForSelector(ready);
      await shot(`19-${hash.replace(/\W+/g, '-').replace(/^-/, '')}`);
      if (['/network', '/notifications', '/settings'].includes(hash)) await axe(hash);
    }
    expect(errors).toEqual([]);
  }, 180_000);

  step('payments list, the webhook delivery log with redelivery, and the theme colour', async () => {
    const missing = ['list_payments', 'webhook_deliveries', 'webhook_redeliver', 'list_events'].filter((a) => !actions.has(a));
    expect(missing).toEqual([]);
    const customer = await t.db('customers').where({ username: 'maria' }).first();
    const invoice = await t.db('invoices').where({ customer_id: customer.id }).orderBy('id', 'desc').first();
    // the month's first invoice is prorated (the subscriber joined today): pay its balance, whatever it is
    expect(await t.call('pay_invoice', { invoice_id: invoice.id, method: 'cash', reference: 'till-7' })).toMatchObject({ ok: true });
    const paid = await t.db('payments').where({ invoice_id: invoice.id, reference: 'till-7' }).first();

    await go('/payments');
    await page.waitForSelector(`#payments-totals[data-count="1"][data-amount="${paid.amount_cents}"]`);
    await page.waitForSelector('td:has-text("till-7")');
    await shot('20-payments');
    await axe('payments');
    await page.click(`a[href="#/invoices/${invoice.id}/show"]:has-text("${invoice.series}-")`);
    await page.waitForURL(new RegExp(`#/invoices/${invoice.id}/show`));
    await go(`/customers/${customer.id}/show/payments`);
    await page.waitForSelector('td:has-text("till-7")');
    await shot('21-customer-payments');

    const rx = await startReceiver([500]);
    try {
      const hook = (await t.call('webhook_create', { url: rx.url, events: ['customer.created'] })).data;
      // the receiver answers the test event with 500: with one attempt allowed, the delivery is dead at once
      expect(await t.call('webhook_test', { id: hook.id })).toMatchObject({ ok: true, data: { delivered: false, status_code: 500 } });
      const dead = await t.db('webhook_deliveries').where({ webhook_id: hook.id }).first();
      expect(dead).toMatchObject({ status: 'dead', last_status_code: 500 });

      await go('/webhooks');
      await page.click(`a[href="#/webhooks/${hook.id}/deliveries"]`);
      await page.waitForSelector(`tr[data-delivery="${dead.id}"][data-status=dead]`);
      await shot('22-webhook-deliveries');
      await axe('webhook delivery log');
      await page.click(`tr[data-delivery="${dead.id}"] button:has-text("Redeliver")`);
      await page.waitForSelector('[role=dialog]:has-text("again")');
      await page.click('[role=dialog] button:has-text("Confirm")');
      await page.waitForSelector(`tr[data-delivery="${dead.id}"][data-status=pending]`);
      expect(await t.db('webhook_deliveries').where({ id: dead.id }).first()).toMatchObject({ status: 'pending', attempts: 0 });
      await t.rt.webhooks.runOnce(t.db);
      await page.reload();
      await page.waitForSelector(`tr[data-delivery="${dead.id}"][data-status=delivered]`);
      expect(rx.received).toHaveLength(2);
      // Each attempt of the delivery, newest first: the redelivered success, then the first answer, 500.
      await page.click(`tr[data-delivery="${dead.id}"] [data-history-toggle]`);
      const history = page.locator(`tr[data-history="${dead.id}"] tbody tr`);
      await history.nth(1).waitFor();
      expect(await history.count()).toBe(2);
      expect(await history.nth(0).locator('td').nth(1).textContent()).toBe('200');
      expect(await history.nth(1).locator('td').nth(1).textContent()).toBe('HTTP 500');
      await axe('webhook delivery history');
      await shot('23-webhook-redelivered');
    } finally {
      await rx.close();
    }

    await go('/settings');
    await page.fill('#settings-theme_color', '#0f766e');
    await page.click('button:has-text("Save")');
    await page.mouse.move(640, 5); // off the button: a hovered button shows the darker shade
    // the primary colour of the theme is now the installation's: the contained Save button is painted with it
    await page.waitForFunction(
      `[...document.querySelectorAll('button')].some((b) => b.textContent.trim() === 'Save' && getComputedStyle(b).backgroundColor === 'rgb(15, 118, 110)')`,
    );
    expect(JSON.parse((await t.db('settings').where({ key: 'general.theme_color' }).first()).value)).toBe('#0f766e');
    await shot('24-settings-theme-colour');
    await axe('settings with a theme colour');
    // a fresh page load picks the colour up from get_settings
    await go('/');
    await page.reload();
    await page.waitForSelector('#dashboard-events[data-loaded=yes]');
    await page.waitForSelector('#dashboard-events [data-event="customer.created"]');
    await shot('25-dashboard-events-theme');
  }, 180_000);

  step('a support admin is not offered what they may not do', async () => {
    expect((await t.call('add_web_admin', { username: 'viewer', password: 'viewer-password-1', role: 'support' })).ok).toBe(true);
    const context = await browser.newContext({ viewport: { width: 1280, height: 860 }, locale: 'en-GB', reducedMotion: 'reduce' });
    const other = await context.newPage();
    other.setDefaultTimeout(STEP);
    await other.goto(base + '/');
    await other.fill('#username', 'viewer');
    await other.fill('#password', 'viewer-password-1');
    await other.click('button[type=submit]');
    await other.waitForSelector('#dashboard-tiles');
    await other.goto(`${base}/#/customers`);
    await other.waitForSelector('td:has-text("maria")');
    expect(await other.locator('a[href="#/customers/create"]').count()).toBe(0);
    const customer = await t.db('customers').where({ username: 'maria' }).first();
    await other.goto(`${base}/#/customers/${customer.id}/show`);
    await other.waitForSelector('text=Maria Papadopoulou');
    expect(await other.locator('button:has-text("Suspend")').count()).toBe(0);
    expect(await other.locator('a[href="#/admins"]').count()).toBe(0);
    expect(await other.locator('a[href="#/invoices"]').count()).toBe(0);
    expect(await other.locator('a[href="#/payments"]').count()).toBe(0);
    expect(await other.locator('a[href="#/tickets"]').count()).toBe(actions.has('list_tickets') ? 1 : 0);
    await other.screenshot({ path: path.join(ARTIFACTS, '19z-support-subscriber.png'), fullPage: true });
    await context.close();
  }, 120_000);

  step('switch to Greek and see Greek labels; the phone-sized screen keeps its menu', async () => {
    await go('/');
    await page.waitForSelector('[data-tile=invoiced]');
    await page.waitForSelector('#dashboard-events [data-event="invoice.generated"]');
    await shot('15-dashboard-with-data');
    await go('/customers');
    await page.waitForSelector('td:has-text("maria")');
    await page.click('button[aria-label="Language"], button:has-text("English")');
    await page.click('[role=menuitem]:has-text("Ελληνικά")');
    await page.waitForSelector('text=Συνδρομητές');
    await page.waitForSelector('th:has-text("Ονοματεπώνυμο")');
    await shot('16-greek-customers');
    await go('/');
    await page.waitForSelector('text=Ενεργοί');
    await shot('17-greek-dashboard');

    await page.setViewportSize({ width: 390, height: 844 });
    await go('/customers');
    await page.waitForSelector('text=maria');
    await shot('18-phone-customers');
    await axe('subscribers on a phone');
    expect(axeFindings).toEqual([]);
  }, 120_000);
});
