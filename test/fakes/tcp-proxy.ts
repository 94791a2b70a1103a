import net from 'node:net';

/**
 * A TCP proxy on loopback in front of a real server (MariaDB), which a test can make refuse connections (as a
 * stopped server does) or freeze (as a SIGSTOPped one does: sockets stay open, nothing comes back), then
 * restore. It lets outage tests run without touching the shared MariaDB.
 */
export class TcpProxy {
  port = 0;
  private mode: 'pass' | 'refuse' | 'freeze' = 'pass';
  private server: net.Server | null = null;
  private readonly pairs = new Set<{ client: net.Socket; upstream: net.Socket | null }>();

  constructor(private readonly targetHost: string, private readonly targetPort: number) {}

  async start(): Promise<this> {
    await this.listen();
    return this;
  }

  private listen(): Promise<void> {
    const server = net.createServer((client) => this.accept(client));
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => {
        this.port = (server.address() as net.AddressInfo).port;
        resolve();
      });
    });
  }

  private accept(client: net.Socket) {
    const pair: { client: net.Socket; upstream: net.Socket | null } = { client, upstream: null };
    this.pairs.add(pair);
    const drop = () => {
      client.destroy();
      pair.upstream?.destroy();
      this.pairs.delete(pair);
    };
    client.on('error', drop).on('close', drop);
    // Frozen: the handshake never comes, like a stopped process whose kernel still accepts connections.
    if (this.mode === 'freeze') return;
    const upstream = net.connect(this.targetPort, this.targetHost);
    pair.upstream = upstream;
    upstream.on('error', drop).on('close', drop);
    client.pipe(upstream);
    upstream.pipe(client);
  }

  /** New connections are refused and open ones are cut. */
  async refuse(): Promise<void> {
    this.mode = 'refuse';
    const server = this.server;
    this.server = null;
    for (const p of [...this.pairs]) {
      p.client.destroy();
      p.upstream?.destroy();
    }
    this.pairs.clear();
    if (server) await new Promise<void>((r) => server.close(() => r()));
  }

  /** Open connections stop carrying data in either direction; new ones are accepted and never answered. */
  freeze(): void {
    this.mode = 'freeze';
    for (const p of this.pairs) {
      if (!p.upstream) continue;
      p.client.unpipe(p.upstream);
      p.upstream.unpipe(p.client);
      p.client.pause();
      p.upstream.pause();
    }
  }

  /** Back to normal; connections opened while frozen are cut, so their clients reconnect. */
  async restore(): Promise<void> {
    for (const p of [...this.pairs]) {
      if (this.mode === 'freeze') {
        p.client.destroy();
        p.upstream?.destroy();
        this.pairs.delete(p);
      }
    }
    this.mode = 'pass';
    if (!this.server) await this.listen();
  }

  async close(): Promise<void> {
    await this.refuse();
  }
}
