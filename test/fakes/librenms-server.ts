/**
 * A LibreNMS API v0 on loopback, as strict as integrations.md §3: X-Auth-Token required (401
 * {"message":"Unauthenticated."} without a valid one), {"status":"ok",…} envelopes, 404
 * {"status":"error","message":"This API route doesn't exist."} for unknown routes, numbers as strings on the old
 * routes (devices, ports) and as ints on links.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface LnDevice { device_id: number; hostname: string; sysName?: string; ip?: string; os?: string; status: 0 | 1; hardware?: string; lat?: number | null; lng?: number | null }
export interface LnPort { port_id: number; device_id: number; ifName: string; ifSpeed?: number; ifHighSpeed?: number }
export interface LnLink { id: number; local_port_id: number; local_device_id: number; remote_port_id: number | null; remote_device_id: number | null; remote_hostname: string; remote_port: string; protocol: string; active?: number }

export class FakeLibreNMS {
  devices: LnDevice[] = [];
  ports: LnPort[] = [];
  links: LnLink[] = [];
  readonly requests: Array<{ path: string; token: string | undefined }> = [];
  private server: http.Server;
  url = '';

  constructor(readonly token: string, readonly version = '24.10.0') {
    this.server = http.createServer((req, res) => this.handle(req, res));
  }

  async listen(): Promise<string> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((r) => this.server.close(() => r()));
  }

  private send(res: http.ServerResponse, status: number, body: unknown) {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse) {
    const u = new URL(req.url ?? '/', 'http://x');
    const token = req.headers['x-auth-token'] as string | undefined;
    this.requests.push({ path: u.pathname, token });
    if (token !== this.token) return this.send(res, 401, { message: 'Unauthenticated.' });
    if (req.method !== 'GET') return this.send(res, 405, { status: 'error', message: 'Method not allowed' });
    const str = (o: object) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, v === null || v === undefined ? v : String(v)]));
    switch (u.pathname.replace(/\/+$/, '')) {
      case '/api/v0/system':
        return this.send(res, 200, { status: 'ok', system: [{ local_ver: this.version, local_sha: 'abc123', db_schema: '2024_10_01', php_ver: '8.2.7' }], count: 1 });
      case '/api/v0/devices':
        return this.send(res, 200, { status: 'ok', count: this.devices.length, devices: this.devices.map((d) => ({ ...str(d), serial: null, icon: null })) });
      case '/api/v0/ports': {
        const cols = (u.searchParams.get('columns') ?? 'ifName').split(',');
        const ports = this.ports.map((p) => Object.fromEntries(cols.filter((c) => c in p).map((c) => [c, String((p as unknown as Record<string, unknown>)[c])])));
        return this.send(res, 200, { status: 'ok', message: '', ports });
      }
      case '/api/v0/resources/links':
        return this.send(res, 200, { status: 'ok', links: this.links.map((l) => ({ active: 1, remote_platform: null, remote_version: null, ...l })), count: this.links.length });
      default:
        return this.send(res, 404, { status: 'error', message: "This API route doesn't exist." });
    }
  }
}
