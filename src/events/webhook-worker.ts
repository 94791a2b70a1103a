import crypto from 'node:crypto';
import type { Knex } from 'knex';
import type { Logger } from '../logger';
import type { SecretBox } from '../secrets';
import { nowUtc } from '../db/knex';
import { type Lease, rowLease } from '../db/lease';
import { AddressNotAllowed, postGuarded } from './address-policy';

export interface WebhookWorkerOptions {
  retryBaseMs: number;
  maxAttempts: number;
  timeoutMs: number;
  /** Deliveries in flight at once per pass (default 8). */
  concurrency?: number;
  /** How long a claimed delivery is held before another worker may take it over. */
  leaseMs?: number;
  /** WEBHOOK_ALLOW_PRIVATE: deliver to loopback, link-local and private addresses too. */
  allowPrivate?: boolean;
}

/** A delivery being sent; the expiry is the holder's mark (the table has no token column). */
const deliveryLease = rowLease({ table: 'webhook_deliveries', until: 'locked_until', ms: 60_000 });

export function signBody(secret: string, body: string): string {
  return crypto.createHmac('sha256', secret).update(body).digest('hex');
}

/** A dialect's delivery shape: its event name and body for one of ispgate's events (see webhooks.dialect). */
export type DialectPayload = (db: Knex, event: string, payload: string) => Promise<{ event: string; body: string }>;
const dialectPayloads = new Map<string, DialectPayload>();
/** A front door (the ISPBills dialect) registers how its webhooks are delivered. */
export function registerDialectPayload(dialect: string, fn: DialectPayload): void {
  dialectPayloads.set(dialect, fn);
}

/**
 * Delivers queued webhook events. A delivery is claimed with a conditional UPDATE (so two workers never send
 * the same one), posted with its signature, and every attempt is recorded. Failures retry with exponential
 * backoff until maxAttempts, then the delivery is marked dead.
 */
export class WebhookWorker {
  constructor(
    private readonly secrets: SecretBox,
    private readonly log: Logger,
    private readonly opts: WebhookWorkerOptions,
  ) {}

  async runOnce(db: Knex, now = new Date()): Promise<{ delivered: number; failed: number }> {
    const due = await db('webhook_deliveries')
      .whereIn('status', ['pending', 'sending'])
      .where('next_attempt_at', '<=', nowUtc(now))
      .where(deliveryLease.vacant(now))
      .orderBy('id')
      .limit(50);
    let delivered = 0;
    let failed = 0;
    // Several deliveries are in flight at once, so one slow or dead receiver does not hold up every other one.
    const queue = [...due];
    const lane = async () => {
      for (let d = queue.shift(); d; d = queue.shift()) {
        // Taken only if still as read: another worker may have claimed and tried it since (its claim leaves status
        // and attempts as they were).
        const lease = await deliveryLease.acquire(db, { id: d.id }, { now, ms: this.leaseMs, where: (q) => q.where('attempts', d.attempts).whereIn('status', ['pending', 'sending']), set: { status: 'sending' } });
        if (!lease) continue;
        if (await this.deliver(db, lease)) delivered++;
        else failed++;
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.opts.concurrency ?? 8, queue.length) }, lane));
    return { delivered, failed };
  }

  private get leaseMs(): number {
    return this.opts.leaseMs ?? this.opts.timeoutMs * 2;
  }

  /** Claims one pending delivery for an immediate send (webhook_test); null when another worker holds it. */
  async claim(db: Knex, deliveryId: number, now = new Date()): Promise<Lease | null> {
    return deliveryLease.acquire(db, { id: deliveryId }, { now, ms: this.leaseMs, where: (q) => q.where('status', 'pending'), set: { status: 'sending' } });
  }

  /**
   * Sends one claimed delivery now and records the attempt; returns whether the receiver accepted it. The outcome
   * is written only while the lease is still this worker's.
   */
  async deliver(db: Knex, lease: Lease): Promise<boolean> {
    const deliveryId = Number(lease.key.id);
    const row = await db('webhook_deliveries as d')
      .join('webhooks as w', 'w.id', 'd.webhook_id')
      .join('outbox_events as e', 'e.id', 'd.outbox_id')
      .where('d.id', deliveryId)
      .first('d.id', 'd.attempts', 'w.id as webhook_id', 'w.url', 'w.secret_enc', 'w.dialect', 'e.event_id', 'e.event', 'e.payload');
    if (!row) return false;
    const shaped = row.dialect && dialectPayloads.has(row.dialect) ? await dialectPayloads.get(row.dialect)!(db, row.event, row.payload) : null;
    const body: string = shaped ? shaped.body : row.payload;
    const started = Date.now();
    let status: number | null = null;
    let error: string | null = null;
    try {
      const res = await postGuarded(
        row.url,
        {
          'Content-Type': 'application/json',
          'User-Agent': 'ispgate-webhooks/1',
          'X-Event-Id': row.event_id,
          'X-Event': shaped ? shaped.event : row.event,
          'X-Signature': signBody(this.secrets.decrypt(row.secret_enc), body),
        },
        body,
        { timeoutMs: this.opts.timeoutMs, allowPrivate: Boolean(this.opts.allowPrivate) },
      );
      status = res.status;
      if (status < 200 || status >= 300) error = `HTTP ${status}`;
    } catch (e) {
      const err = e as Error;
      // Only our own words are kept: the receiver's answer and the socket's details are not echoed back.
      error = err.name === 'TimeoutError' ? 'timeout' : e instanceof AddressNotAllowed ? `address not allowed: ${err.message}` : String(err.message ?? e).slice(0, 300);
    }
    const attempts = Number(row.attempts) + 1;
    const now = new Date();
    await db('webhook_attempts').insert({ delivery_id: row.id, status_code: status, error, duration_ms: Date.now() - started, attempted_at: nowUtc(now) });
    if (!error) {
      await deliveryLease.release(db, lease, { status: 'delivered', attempts, last_status_code: status, last_error: null, delivered_at: nowUtc(now) });
      return true;
    }
    const dead = attempts >= this.opts.maxAttempts;
    const backoff = Math.min(this.opts.retryBaseMs * 2 ** (attempts - 1), 6 * 3600_000);
    await deliveryLease.release(db, lease, {
      status: dead ? 'dead' : 'pending',
      attempts,
      last_status_code: status,
      last_error: error,
      next_attempt_at: nowUtc(new Date(now.getTime() + backoff)),
    });
    this.log.warn('webhook delivery failed', { webhook_id: row.webhook_id, event: row.event, attempts, error, dead });
    return false;
  }
}
