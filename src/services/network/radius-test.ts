/**
 * radius_test: one Access-Request for a subscriber to the configured RADIUS server (RADIUS_SERVER, RADIUS_SECRET,
 * RADIUS_AUTH_PORT), as a NAS would send it. The server must know this gateway as a client with that secret.
 */
import { requireCustomer } from './customers';
import { accessRequest, RadiusBadReply, RadiusTimeout } from '../../adapters/radius/access-request';
import { AppError } from '../../errors';
import type { NetCtx } from './common';

const REPORTED = ['Mikrotik-Rate-Limit', 'Framed-IP-Address', 'Framed-Pool', 'Delegated-IPv6-Prefix-Pool', 'Reply-Message', 'Session-Timeout'];

export async function radiusTest(ctx: Pick<NetCtx, 'db' | 'config'>, username: string, password?: string) {
  const { RADIUS_SERVER: host, RADIUS_SECRET: secret, RADIUS_AUTH_PORT: port, RADIUS_TEST_TIMEOUT_MS: timeoutMs } = ctx.config;
  if (!host || !secret) {
    throw new AppError('radius_not_configured', 'Set RADIUS_SERVER and RADIUS_SECRET (and RADIUS_AUTH_PORT if not 1812) to test logins against the RADIUS server.', 501);
  }
  const customer = await requireCustomer(ctx.db, { username });
  let r;
  try {
    r = await accessRequest({ host, port, secret, timeoutMs, username: customer.username, password: password ?? customer.password });
  } catch (e) {
    if (e instanceof RadiusTimeout) {
      throw new AppError('radius_unreachable', `The RADIUS server ${host}:${port} did not answer within ${timeoutMs} ms. Check that it runs and knows this gateway as a client.`, 502);
    }
    if (e instanceof RadiusBadReply) {
      throw new AppError('radius_bad_reply', `The reply from ${host}:${port} did not verify: RADIUS_SECRET is probably not the secret the server has for this gateway.`, 502);
    }
    throw new AppError('radius_unreachable', `Could not send to the RADIUS server ${host}:${port}: ${(e as Error)?.message ?? 'unknown error'}.`, 502, { cause: e });
  }
  const reply: Record<string, string | string[]> = {};
  for (const k of REPORTED) if (r.attributes[k] !== undefined) reply[k] = r.attributes[k];
  return {
    username: customer.username,
    result: r.code === 'Access-Accept' ? 'accept' : r.code === 'Access-Reject' ? 'reject' : r.code,
    code: r.code,
    reply,
    attributes: r.attributes,
    rtt_ms: r.rttMs,
    server: `${host}:${port}`,
    password_source: password === undefined ? 'stored' : 'given',
  };
}
