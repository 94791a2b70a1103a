/**
 * Web Push through the `web-push` library (VAPID, aes128gcm). 404/410 from the push service means the browser's
 * subscription is gone and must be deleted; 429/5xx/network are worth another try.
 */
import fs from 'node:fs';
import https from 'node:https';

export interface PushSubscriptionKeys {
  endpoint: string;
  p256dh: string;
  auth: string;
}

export interface Vapid {
  subject: string;
  publicKey: string;
  privateKey: string;
}

export type PushOutcome = { kind: 'sent'; raw: string } | { kind: 'gone'; raw: string } | { kind: 'retry'; raw: string } | { kind: 'rejected'; raw: string };

let agentFor: { file: string; agent: https.Agent } | null = null;
function agent(caFile?: string): https.Agent | undefined {
  if (!caFile) return undefined;
  if (agentFor?.file !== caFile) agentFor = { file: caFile, agent: new https.Agent({ ca: fs.readFileSync(caFile), keepAlive: true }) };
  return agentFor.agent;
}

export async function sendPush(sub: PushSubscriptionKeys, payload: string, vapid: Vapid, opts: { caFile?: string; ttlSeconds?: number } = {}): Promise<PushOutcome> {
  try {
    const { default: webpush } = await import('web-push'); // loaded when the first push is sent
    const r = await webpush.sendNotification({ endpoint: sub.endpoint, keys: { p256dh: sub.p256dh, auth: sub.auth } }, payload, {
      vapidDetails: vapid,
      TTL: opts.ttlSeconds ?? 24 * 3600,
      contentEncoding: 'aes128gcm',
      timeout: 10_000,
      agent: agent(opts.caFile),
    });
    return { kind: 'sent', raw: `${r.statusCode}` };
  } catch (e) {
    const err = e as { statusCode?: number; body?: string; message?: string };
    const raw = `${err.statusCode ?? ''} ${String(err.body ?? err.message ?? '').slice(0, 300)}`.trim();
    if (err.statusCode === 404 || err.statusCode === 410) return { kind: 'gone', raw };
    if (!err.statusCode || err.statusCode === 429 || err.statusCode >= 500) return { kind: 'retry', raw };
    return { kind: 'rejected', raw };
  }
}
