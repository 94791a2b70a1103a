/**
 * A fake Kolmisoft MOR legacy ("hash") API on loopback, as strict as the real one: POST only (GET is off, as the
 * docs advise), `u` must be the admin, and `hash` is checked per endpoint with the documented algorithm — the
 * values of the endpoint's hashed parameters that were sent, in the documented order, then the API secret,
 * lowercase hex SHA-1 — using an ordered list per endpoint that a test may change (MOR versions differ). Every
 * reply is XML with HTTP 200, errors included, with MOR's own texts (`Incorrect hash`, `Bad login`,
 * `User was not found`, `Feature disabled`, …).
 *
 * Faults: `disable(feature)` turns a MOR setting off; `hangNext(endpoint)` answers nothing (a timeout);
 * `dropReplyNext(endpoint)` applies the request and then cuts the connection before the reply (a lost reply).
 *
 * Inferred (not in MOR's docs): the success XML of user_balance_update, the `<user_id>` in user_register's reply,
 * the `<username>`/`<password>` of a new device, and `Feature disabled` for payment_create without "API allow
 * Payments".
 */
import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

type Endpoint = 'user_balance_get' | 'user_calls_get' | 'tariffs_get' | 'payment_create' | 'user_balance_update' | 'user_register' | 'device_create' | 'did_create';
type Feature = 'balance' | 'payments' | 'registration' | 'dids' | 'tariffs' | 'calls' | 'devices';

export interface FakeMorUser { id: number; username: string; balance: number; currency: string; email?: string; first_name?: string; last_name?: string; password?: string }
export interface FakeMorCall { user_id: number; calldate: Date; src: string; dst: string; destination: string; prefix: string; disposition: 'ANSWERED' | 'NO ANSWER' | 'FAILED' | 'BUSY'; billsec: number; price: number; device_id?: number }

const sha1 = (s: string) => crypto.createHash('sha1').update(s, 'utf8').digest('hex');

// The spec's test vectors, checked when the fake starts so the fake's own algorithm cannot drift.
const VECTORS: Array<[string[], string, string]> = [
  [['123', '1252454580', 'answered'], 'Very Sercet Key', 'b93c35d5c6183288322122561a3da7e09abb63b7'],
  [['123', '100'], '456789', 'b1bef44691c237b574263e09b2838ad1e658e507'],
];

const esc = (v: unknown) => String(v ?? '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const XML = '<?xml version="1.0" encoding="UTF-8"?>\n';

export class FakeMorServer {
  readonly admin = 'admin';
  readonly secret = 'mor-api-secret-7f3a';
  /** The owner's UNIQUEHASH from MOR's API settings tab, required by user_register. */
  readonly uniqueHash = 'a1b2c3d4e5';
  readonly prefix: string;
  hashParams: Record<Endpoint, string[]> = {
    user_balance_get: ['username', 'currency'],
    user_calls_get: ['period_start', 'period_end', 's_user', 's_call_type', 's_device', 's_provider', 's_hgc', 's_did', 's_destination', 'order_desc', 'only_did'],
    tariffs_get: ['u'],
    payment_create: ['user_id'],
    user_balance_update: ['user_id', 'balance'],
    user_register: ['email', 'id', 'lcr_id', 'device_type', 'username', 'first_name', 'last_name', 'caller_id', 'state', 'device_location_id'],
    device_create: ['user_id'],
    did_create: ['provider_id', 'did'],
  };
  readonly users: FakeMorUser[] = [];
  readonly devices: Array<{ id: number; user_id: number; type: string; username: string; password: string; description?: string }> = [];
  readonly dids: Array<{ id: number; did: string; provider_id: number | null }> = [];
  readonly payments: Array<{ id: number; user_id: number; amount: number; currency: string; transaction?: string }> = [];
  readonly calls: FakeMorCall[] = [];
  readonly providers = [1];
  tariffs = [
    { id: 1, name: 'Wholesale A', purpose: 'provider', currency: 'EUR', last_update_date: '' },
    { id: 4, name: 'Retail Home', purpose: 'user', currency: 'EUR', last_update_date: '2026-10-01 10:00:00 +0200' },
  ];
  readonly requests: Array<{ endpoint: string; method: string; params: Record<string, string> }> = [];
  readonly disabled = new Set<Feature>();
  url = '';
  private server?: http.Server;
  private nextId = { user: 100, device: 10, did: 3, payment: 77 };
  private hang = new Set<string>();
  private drop = new Set<string>();

  constructor(opts: { prefix?: string } = {}) {
    this.prefix = opts.prefix ?? '/billing/api';
    for (const [values, secret, expected] of VECTORS) {
      if (sha1(values.join('') + secret) !== expected) throw new Error('FakeMorServer: hash test vector failed');
    }
  }

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => {
      let raw = '';
      req.setEncoding('utf8');
      req.on('data', (c) => (raw += c));
      req.on('end', () => this.handle(req, res, raw));
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}${this.prefix}/`;
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }

  addUser(u: Partial<FakeMorUser> & { username: string }): FakeMorUser {
    const user = { id: u.id ?? this.nextId.user++, balance: 0, currency: 'EUR', ...u };
    this.users.push(user);
    return user;
  }

  disable(f: Feature): void { this.disabled.add(f); }
  enable(f: Feature): void { this.disabled.delete(f); }
  hangNext(endpoint: Endpoint): void { this.hang.add(endpoint); }
  dropReplyNext(endpoint: Endpoint): void { this.drop.add(endpoint); }

  /** The hash a correct client sends for these parameters. */
  hashOf(endpoint: Endpoint, params: Record<string, string>): string {
    return sha1(this.hashParams[endpoint].filter((k) => params[k] !== undefined).map((k) => params[k]).join('') + this.secret);
  }

  private reply(res: http.ServerResponse, body: string, endpoint: string): void {
    if (this.drop.has(endpoint)) {
      this.drop.delete(endpoint);
      res.socket?.destroy();
      return;
    }
    res.writeHead(200, { 'Content-Type': 'text/xml; charset=utf-8' });
    res.end(XML + body);
  }

  private error(res: http.ServerResponse, endpoint: string, text: string, root: 'page' | 'status' = 'page', message?: string): void {
    this.drop.delete(endpoint); // a refused request changes nothing; its reply is never the one lost
    res.writeHead(200, { 'Content-Type': 'text/xml; charset=utf-8' });
    res.end(`${XML}<${root}><error>${esc(text)}</error>${message ? `<message>${esc(message)}</message>` : ''}</${root}>`);
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse, raw: string): void {
    const url = new URL(req.url ?? '/', 'http://x');
    if (!url.pathname.startsWith(`${this.prefix}/`)) { res.writeHead(404); res.end('Not Found'); return; }
    const endpoint = url.pathname.slice(this.prefix.length + 1).replace(/\/$/, '') as Endpoint;
    const params: Record<string, string> = Object.fromEntries(url.searchParams.entries());
    if (raw) {
      if (!/^application\/x-www-form-urlencoded/.test(String(req.headers['content-type'] ?? ''))) { res.writeHead(415); res.end(); return; }
      for (const [k, v] of new URLSearchParams(raw).entries()) params[k] = v;
    }
    this.requests.push({ endpoint, method: req.method ?? '', params });
    if (!(endpoint in this.hashParams)) { res.writeHead(404); res.end('Not Found'); return; }
    if (req.method !== 'POST') return this.error(res, endpoint, 'GET API is not allowed');
    if (this.hang.has(endpoint)) { this.hang.delete(endpoint); return; }
    if (params.u !== this.admin) return this.error(res, endpoint, 'Bad login');
    if (params.hash !== this.hashOf(endpoint, params)) return this.error(res, endpoint, 'Incorrect hash', endpoint === 'user_balance_get' ? 'status' : 'page');
    switch (endpoint) {
      case 'user_balance_get': return this.balanceGet(res, params);
      case 'user_calls_get': return this.callsGet(res, params);
      case 'tariffs_get': return this.tariffsGet(res);
      case 'payment_create': return this.paymentCreate(res, params);
      case 'user_balance_update': return this.balanceUpdate(res, params);
      case 'user_register': return this.userRegister(res, params);
      case 'device_create': return this.deviceCreate(res, params);
      case 'did_create': return this.didCreate(res, params);
    }
  }

  private balanceGet(res: http.ServerResponse, p: Record<string, string>): void {
    if (this.disabled.has('balance')) return this.error(res, 'user_balance_get', 'Feature disabled');
    const u = this.users.find((x) => x.username === p.username);
    if (!u) return this.error(res, 'user_balance_get', 'User was not found');
    this.reply(res, `<page><balance>${u.balance.toFixed(4)}</balance></page>`, 'user_balance_get');
  }

  private callsGet(res: http.ServerResponse, p: Record<string, string>): void {
    if (this.disabled.has('calls')) return this.error(res, 'user_calls_get', 'Feature disabled');
    const u = this.users.find((x) => String(x.id) === p.s_user);
    if (!u) return this.error(res, 'user_calls_get', 'User was not found');
    const day = new Date(); day.setUTCHours(0, 0, 0, 0);
    const start = p.period_start ? Number(p.period_start) : day.getTime() / 1000;
    const end = p.period_end ? Number(p.period_end) : start + 86399;
    const type = (p.s_call_type ?? 'all').toUpperCase();
    if (!['ALL', 'ANSWERED', 'NO ANSWER', 'FAILED', 'BUSY'].includes(type)) return this.error(res, 'user_calls_get', 'Bad call type');
    let list = this.calls.filter((c) => c.user_id === u.id && c.calldate.getTime() / 1000 >= start && c.calldate.getTime() / 1000 <= end
      && (type === 'ALL' || c.disposition === type) && (!p.s_destination || c.dst.startsWith(p.s_destination)));
    list = list.sort((a, b) => a.calldate.getTime() - b.calldate.getTime());
    if (p.order_desc === '1') list.reverse();
    const fmt = (d: Date) => d.toISOString().slice(0, 19).replace('T', ' ');
    const rows = list.map((c) => `<call><calldate2>${fmt(c.calldate)}</calldate2><timezone>GMT +00:00</timezone><clid>"${esc(c.src)}" &lt;${esc(c.src)}&gt;</clid><src>${esc(c.src)}</src><dst>${esc(c.dst)}</dst><destination>${esc(c.destination)}</destination><prefix>${esc(c.prefix)}</prefix><dispod>${c.disposition}(${c.billsec})</dispod><nice_billsec>${c.billsec}</nice_billsec><did></did><did_price>0.0</did_price><provider_name></provider_name><provider_rate>0.0</provider_rate><provider_price>0.0</provider_price><user_id>${c.user_id}</user_id><user_rate>0.0</user_rate><user_price>${c.price}</user_price><user_currency>${u.currency}</user_currency><user_exchange_rate>1.0</user_exchange_rate></call>`).join('');
    this.reply(res, `<page><pagename>Calls</pagename><language>en</language><userid>0</userid><username>${this.admin}</username><total_calls>${list.length}</total_calls><currency>${u.currency}</currency><calls_stat><period><period_start>${fmt(new Date(start * 1000))}</period_start><period_end>${fmt(new Date(end * 1000))}</period_end></period><show_user>${u.id}</show_user><show_device>all</show_device><show_status>${esc(type.toLowerCase())}</show_status><calls>${rows}</calls></calls_stat></page>`, 'user_calls_get');
  }

  private tariffsGet(res: http.ServerResponse): void {
    if (this.disabled.has('tariffs')) return this.error(res, 'tariffs_get', 'You are not authorized to use this functionality');
    if (!this.tariffs.length) return this.error(res, 'tariffs_get', 'No Tariffs found');
    const rows = this.tariffs.map((t) => `<tariff><id>${t.id}</id><name>${esc(t.name)}</name><purpose>${t.purpose}</purpose><currency>${t.currency}</currency>${t.last_update_date ? `<last_update_date>${esc(t.last_update_date)}</last_update_date>` : '<last_update_date/>'}</tariff>`).join('');
    this.reply(res, `<page><tariffs>${rows}</tariffs></page>`, 'tariffs_get');
  }

  private paymentCreate(res: http.ServerResponse, p: Record<string, string>): void {
    if (this.disabled.has('payments')) return this.error(res, 'payment_create', 'Feature disabled');
    if (!p.p_currency) return this.error(res, 'payment_create', 'No currency');
    const u = this.users.find((x) => String(x.id) === p.user_id);
    if (!u) return this.error(res, 'payment_create', 'Payment was not saved', 'page', 'User was not found');
    const amount = Number(p.amount);
    if (!/^\d+(\.\d+)?$/.test(p.amount ?? '') || amount <= 0) return this.error(res, 'payment_create', 'Payment was not saved', 'page', 'Amount is invalid');
    const pay = { id: this.nextId.payment++, user_id: u.id, amount, currency: p.p_currency, transaction: p.transaction };
    this.payments.push(pay);
    u.balance = Math.round((u.balance + amount) * 10000) / 10000;
    this.reply(res, `<page><response><status>ok</status><confirmed>No</confirmed><payment currency="${esc(p.p_currency)}"><payment_id>${pay.id}</payment_id><tax>0</tax><amount>${esc(p.amount)}</amount><gross>${esc(p.amount)}</gross></payment></response></page>`, 'payment_create');
  }

  private balanceUpdate(res: http.ServerResponse, p: Record<string, string>): void {
    if (this.disabled.has('payments')) return this.error(res, 'user_balance_update', 'Feature disabled');
    const u = this.users.find((x) => String(x.id) === p.user_id);
    if (!u) return this.error(res, 'user_balance_update', 'User was not found');
    if (!/^-?\d+(\.\d+)?$/.test(p.balance ?? '')) return this.error(res, 'user_balance_update', 'User balance not updated');
    u.balance = Number(p.balance);
    this.reply(res, `<page><status>User balance updated</status></page>`, 'user_balance_update');
  }

  private userRegister(res: http.ServerResponse, p: Record<string, string>): void {
    if (this.disabled.has('registration')) return this.error(res, 'user_register', 'Registration over API is disabled');
    if (p.id !== this.uniqueHash) return this.error(res, 'user_register', 'Dont be so smart');
    if ((p.password ?? '').length < 8) return this.error(res, 'user_register', 'Password must be longer than 7 characters or short passwords in Devices should be allowed');
    if (!p.username || this.users.some((u) => u.username === p.username)) return this.error(res, 'user_register', 'Username is already taken');
    if (p.password !== p.password2) return this.error(res, 'user_register', 'Passwords do not match');
    const u = this.addUser({ username: p.username, email: p.email, first_name: p.first_name, last_name: p.last_name, password: p.password });
    this.reply(res, `<page><status>Registration successful</status><user_id>${u.id}</user_id><email>${esc(u.email)}</email><username>${esc(u.username)}</username><server_ip>127.0.0.1</server_ip><registration_notice></registration_notice></page>`, 'user_register');
  }

  private deviceCreate(res: http.ServerResponse, p: Record<string, string>): void {
    if (this.disabled.has('devices')) return this.error(res, 'device_create', 'You are not authorized to use this functionality');
    const u = this.users.find((x) => String(x.id) === p.user_id);
    if (!u) return this.error(res, 'device_create', 'User was not found');
    const type = p.type ?? 'SIP';
    if (!['SIP', 'IAX2', 'FAX', 'Virtual', 'H323', 'ZAP', 'Skype'].includes(type)) return this.error(res, 'device_create', 'Device_type_invalid');
    const d = { id: this.nextId.device++, user_id: u.id, type, description: p.description, username: String(100000 + this.nextId.device), password: crypto.randomBytes(9).toString('base64url') };
    this.devices.push(d);
    this.reply(res, `<page><status>Device created</status><id>${d.id}</id><username>${d.username}</username><password>${esc(d.password)}</password></page>`, 'device_create');
  }

  private didCreate(res: http.ServerResponse, p: Record<string, string>): void {
    if (this.disabled.has('dids')) return this.error(res, 'did_create', 'You are not authorized to manage DIDs');
    if (!/^\d{4,20}$/.test(p.did ?? '')) return this.error(res, 'did_create', 'Invalid DID specified');
    if (p.provider_id !== undefined && !this.providers.includes(Number(p.provider_id))) return this.error(res, 'did_create', 'Provider was not found');
    if (this.dids.some((d) => d.did === p.did)) {
      res.writeHead(200, { 'Content-Type': 'text/xml' });
      res.end(`${XML}<page><status><error>DID already exists</error></status></page>`);
      return;
    }
    const d = { id: this.nextId.did++, did: p.did, provider_id: p.provider_id ? Number(p.provider_id) : null };
    this.dids.push(d);
    this.reply(res, `<page><status><success>DID created</success></status><did_details><id>${d.id}</id></did_details></page>`, 'did_create');
  }
}
