import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { authenticator } from 'otplib';
import { chromium, type Browser } from 'playwright-core';
import { makeTestApp, type TestApp } from '../helpers/app';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const present = fs.existsSync(CHROMIUM);
if (!present && process.env.CI) throw new Error(`${CHROMIUM} is missing: CI installs Debian's chromium for the panel test`);
const maybe = present ? describe : describe.skip;
if (!present) console.warn(`panel browser test skipped: no ${CHROMIUM}`);

maybe('the panel page in a real browser', () => {
  let t: TestApp;
  let server: Server;
  let browser: Browser;
  let base: string;

  beforeAll(async () => {
    t = await makeTestApp();
    server = t.app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise((r) => server?.close(r));
    await t?.close();
  });

  test('sign in with 2FA, then run an action from the console', async () => {
    const alice = await t.call('add_web_admin', { username: 'alice', password: 'alice-password-1', role: 'admin' });
    const key = (await t.call('api_key_create', { name: 'alice', admin: 'alice' })).data.key;
    const secret = (await t.call('start_2fa_enroll', {}, { key })).data.secret;
    expect((await t.call('finish_2fa_enroll', { code: authenticator.generate(secret) }, { key })).ok).toBe(true);
    expect(alice.ok).toBe(true);

    const page = await browser.newPage();
    await page.goto(base + '/');
    await page.fill('#username', 'alice');
    await page.fill('#password', 'wrong-password');
    await page.click('button[type=submit]');
    await page.waitForSelector('#login-error:has-text("wrong")');

    await page.fill('#password', 'alice-password-1');
    await page.click('button[type=submit]');
    await page.waitForSelector('#code-row:not(.hidden)');
    expect(await page.textContent('#login-error')).toMatch(/code/i);

    // the code of the next period (inside the accepted window): enrolment already used the current one
    await page.fill('#code', authenticator.clone({ epoch: Date.now() + 30_000 }).generate(secret));
    await page.click('button[type=submit]');
    await page.waitForSelector('#console:not(.hidden)');
    expect(await page.textContent('#who')).toContain('alice');

    await page.selectOption('#action', 'webhook_create');
    await page.fill('#params', 'url=http://127.0.0.1:9/h\nevents[]=invoice.paid\nevents[]=ticket.created');
    await page.click('#send');
    await page.waitForSelector('#result:has-text("whsec_")');
    const result = JSON.parse((await page.textContent('#result'))!);
    expect(result).toMatchObject({ ok: true, data: { events: ['invoice.paid', 'ticket.created'] } });
    expect(await t.db('webhooks').where({ id: result.data.id }).first()).toBeDefined();
    if (process.env.PANEL_SCREENSHOT) await page.screenshot({ path: process.env.PANEL_SCREENSHOT, fullPage: true });
  }, 60_000);
});
