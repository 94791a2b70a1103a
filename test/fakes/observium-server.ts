/**
 * An Observium API on loopback (integrations.md §4): HTTP Basic with an Observium user or a Bearer token, 401
 * without; entities as objects keyed by id; /api/v0/devices/, /api/v0/ports/, /api/v0/neighbours/.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export class FakeObservium {
  devices: Array<Record<string, string>> = [];
  ports: Array<Record<string, string>> = [];
  neighbours: Array<Record<string, string>> = [];
  private server: http.Server;
  url = '';

  constructor(readonly user: string, readonly password: string, readonly token?: string) {
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
    const auth = req.headers.authorization ?? '';
    const basic = 'Basic ' + Buffer.from(`${this.user}:${this.password}`).toString('base64');
    if (auth !== basic && !(this.token && auth === `Bearer ${this.token}`)) {
      res.writeHead(401, { 'www-authenticate': 'Basic realm="Observium API"', 'content-type': 'application/json' });
      return res.end(JSON.stringify({ status: 'failed', message: 'Authentication failed' }));
    }
    const keyed = (rows: Array<Record<string, string>>, id: string) => Object.fromEntries(rows.map((r) => [r[id], r]));
    const path = new URL(req.url ?? '/', 'http://x').pathname.replace(/\/+$/, '');
    if (path === '/api/v0/devices') return this.send(res, 200, { status: 'ok', count: this.devices.length, devices: keyed(this.devices, 'device_id') });
    if (path === '/api/v0/ports') return this.send(res, 200, { status: 'ok', count: this.ports.length, ports: keyed(this.ports, 'port_id') });
    if (path === '/api/v0/neighbours') return this.send(res, 200, { status: 'ok', count: this.neighbours.length, neighbours: keyed(this.neighbours, 'neighbour_id') });
    return this.send(res, 404, { status: 'failed', message: 'Unknown entity' });
  }
}
