/**
 * The real Zabbix API the monitoring and ISPBills tests drive (Debian's zabbix-frontend-php on its own schema in
 * MariaDB, served by `php -S`; .ci/run installs and starts it and exports ZABBIX_URL).
 */
import { spawnSync } from 'node:child_process';

export const ZABBIX_URL = process.env.ZABBIX_URL ?? 'http://127.0.0.1:18080/api_jsonrpc.php';
export const NO_ZABBIX = `no Zabbix API answers at ${ZABBIX_URL}; .ci/run installs and starts it`;

/** One JSON-RPC call; a Zabbix error fails the test with Zabbix's own message. */
export async function zabbixRpc(method: string, params: unknown, auth?: string): Promise<any> {
  const res = await fetch(ZABBIX_URL, {
    method: 'POST',
    headers: { 'content-type': 'application/json-rpc' },
    body: JSON.stringify({ jsonrpc: '2.0', method, params, id: 1, ...(auth ? { auth } : {}) }),
    signal: AbortSignal.timeout(10_000),
  });
  const body = (await res.json()) as { result?: unknown; error?: { message: string; data: string } };
  if (body.error) throw new Error(`${method}: ${body.error.message} ${body.error.data}`);
  return body.result;
}

/**
 * The API version, or '' when no Zabbix answers. Synchronous, so it is decided before the tests are collected and a
 * missing Zabbix shows as skipped tests with the reason.
 */
export function zabbixVersion(): string {
  const r = spawnSync('curl', ['-sf', '-m', '5', '-X', 'POST', '-H', 'Content-Type: application/json-rpc', '-d', '{"jsonrpc":"2.0","method":"apiinfo.version","params":{},"id":1}', ZABBIX_URL], { encoding: 'utf8' });
  try {
    return r.status === 0 ? String(JSON.parse(r.stdout).result ?? '') : '';
  } catch {
    return '';
  }
}
