import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SmsReceived {
  to: string;
  from: string;
  text: string;
  reference: string;
}

/**
 * The HTTP SMS gateway on loopback, as strict as a provider: the Bearer key must match, the body must be JSON with
 * exactly `to`, `from`, `text`, `reference` (strings), `to` a phone number, `from` the registered sender, `text` 1 to
 * 1600 characters; each 160 characters cost a credit. `down(n)` answers the next n sends with 503; `balance: false`
 * is a provider that does not report a balance (404).
 */
export async function startSmsGateway(opts: { apiKey: string; sender: string; credits?: number; balance?: boolean }) {
  const received: SmsReceived[] = [];
  let credits = opts.credits ?? 5000;
  let failures = 0;
  let seq = 0;
  const json = (res: http.ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      if (req.headers.authorization !== `Bearer ${opts.apiKey}`) return json(res, 401, { error: 'invalid api key' });
      if (req.method === 'GET' && req.url === '/balance') return opts.balance === false ? json(res, 404, { error: 'not supported' }) : json(res, 200, { balance: credits, unit: 'credits' });
      if (req.method !== 'POST' || req.url !== '/messages') return json(res, 404, { error: 'no such endpoint' });
      if (!String(req.headers['content-type'] ?? '').startsWith('application/json')) return json(res, 415, { error: 'json only' });
      let b: Record<string, unknown>;
      try {
        b = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        return json(res, 400, { error: 'malformed json' });
      }
      const keys = Object.keys(b).sort().join(',');
      if (keys !== 'from,reference,text,to' || Object.values(b).some((v) => typeof v !== 'string')) return json(res, 422, { error: 'fields must be to, from, text, reference' });
      const m = b as unknown as SmsReceived;
      if (!/^\+?\d{6,15}$/.test(m.to)) return json(res, 422, { error: 'invalid destination' });
      if (m.from !== opts.sender) return json(res, 422, { error: 'sender not registered' });
      if (m.text.length < 1 || m.text.length > 1600) return json(res, 422, { error: 'text length' });
      if (failures > 0) {
        failures--;
        return json(res, 503, { error: 'temporarily unavailable' });
      }
      const cost = Math.ceil(m.text.length / 160);
      if (credits < cost) return json(res, 402, { error: 'insufficient credits' });
      credits -= cost;
      received.push(m);
      json(res, 202, { id: `gw-${++seq}`, status: 'queued', credits_used: cost, credits_remaining: credits });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    down(n: number) {
      failures = n;
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
