import crypto from 'node:crypto';
import type { Knex } from 'knex';
import { authenticator } from 'otplib';
import { nowUtc } from '../../db/knex';
import { AppError } from '../../errors';
import type { SecretBox } from '../../secrets';
import { randomToken, sha256Hex, verifyPassword } from '../../secrets';
import { adminsByUsername, type AdminRow, getAdmin, publicAdmin } from './admins';

authenticator.options = { window: 1, step: 30 };

const ISSUER = 'ispgate';

/** A wrong password and an unknown user cost the same time, so usernames cannot be probed by timing. */
const DUMMY_HASH = 'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA$' + Buffer.alloc(64).toString('base64url');

export async function checkPassword(db: Knex, username: string, password: string): Promise<AdminRow | null> {
  const row = (await adminsByUsername(db, username).first()) as AdminRow | undefined;
  const ok = await verifyPassword(password, row?.password_hash ?? DUMMY_HASH);
  return ok && row ? row : null;
}

/**
 * Verifies a TOTP code or a one-time recovery code. A TOTP code is accepted once: the time step it
 * matched is remembered, so a code seen on the wire cannot be replayed within its window.
 */
export async function verifySecondFactor(db: Knex, secrets: SecretBox, admin: AdminRow, code: string): Promise<boolean> {
  const clean = code.replace(/\s+/g, '');
  if (/^\d{6}$/.test(clean) && admin.totp_secret_enc) {
    const secret = secrets.decrypt(admin.totp_secret_enc);
    const delta = authenticator.checkDelta(clean, secret);
    if (delta === null) return false;
    const step = Math.floor(Date.now() / 1000 / 30) + delta;
    const updated = await db('admins')
      .where({ id: admin.id })
      .where((q) => q.whereNull('totp_last_step').orWhere('totp_last_step', '<', step))
      .update({ totp_last_step: step });
    return updated === 1;
  }
  // Recovery codes are printed as XXXXX-XXXXX; typed without the dash or in lower case they still count.
  const bare = clean.replace(/[^0-9a-z]/gi, '').toUpperCase();
  const hash = sha256Hex(/^[0-9A-F]{10}$/.test(bare) ? formatRecovery(bare) : clean.toUpperCase());
  const used = await db('admin_recovery_codes').where({ admin_id: admin.id, code_hash: hash }).whereNull('used_at').update({ used_at: nowUtc() });
  return used === 1;
}

export async function createSession(db: Knex, adminId: number, ttlHours: number, meta: { ip: string; userAgent?: string }) {
  const token = randomToken(32);
  const csrf = randomToken(24);
  const now = new Date();
  const [id] = await db('sessions').insert({
    token_hash: sha256Hex(token),
    csrf_hash: sha256Hex(csrf),
    admin_id: adminId,
    ip: meta.ip,
    user_agent: meta.userAgent?.slice(0, 255) ?? null,
    created_at: nowUtc(now),
    expires_at: nowUtc(new Date(now.getTime() + ttlHours * 3600_000)),
    last_seen_at: nowUtc(now),
  });
  await db('admins').where({ id: adminId }).update({ last_login_at: nowUtc(now) });
  return { id: Number(id), token, csrf };
}

export async function findSession(db: Knex, token: string) {
  return db('sessions').where({ token_hash: sha256Hex(token) }).where('expires_at', '>', nowUtc()).first();
}

export async function destroySession(db: Knex, sessionId: number) {
  await db('sessions').where({ id: sessionId }).delete();
}

export async function startEnrollment(db: Knex, secrets: SecretBox, adminId: number) {
  const admin = await getAdmin(db, adminId);
  if (admin.totp_enabled) throw new AppError('two_factor_already_enabled', 'Two-factor authentication is already on; disable it first to enroll again.', 409);
  const secret = authenticator.generateSecret(20);
  await db('admins').where({ id: adminId }).update({ totp_pending_enc: secrets.encrypt(secret), updated_at: nowUtc() });
  const otpauth = authenticator.keyuri(admin.username, ISSUER, secret);
  const { default: QRCode } = await import('qrcode'); // loaded when first needed
  const qr = await QRCode.toDataURL(otpauth, { errorCorrectionLevel: 'M', margin: 1, width: 240 });
  return { secret, otpauth_uri: otpauth, qr_code: qr, issuer: ISSUER, digits: 6, period: 30 };
}

export async function finishEnrollment(db: Knex, secrets: SecretBox, adminId: number, code: string) {
  const admin = await getAdmin(db, adminId);
  if (!admin.totp_pending_enc) throw new AppError('two_factor_not_started', 'Start enrollment with start_2fa_enroll first.', 409);
  const secret = secrets.decrypt(admin.totp_pending_enc);
  const delta = authenticator.checkDelta(code.replace(/\s+/g, ''), secret);
  if (delta === null) throw new AppError('invalid_otp', 'The code does not match; check the clock of the authenticator device and try the current code.', 422);
  const codes = Array.from({ length: 10 }, () => formatRecovery(crypto.randomBytes(5).toString('hex').toUpperCase()));
  await db.transaction(async (trx) => {
    await trx('admins')
      .where({ id: adminId })
      .update({ totp_secret_enc: admin.totp_pending_enc, totp_pending_enc: null, totp_enabled: true, totp_last_step: Math.floor(Date.now() / 30000) + delta, updated_at: nowUtc() });
    await trx('admin_recovery_codes').where({ admin_id: adminId }).delete();
    await trx('admin_recovery_codes').insert(codes.map((c) => ({ admin_id: adminId, code_hash: sha256Hex(c) })));
  });
  return { enabled: true, recovery_codes: codes };
}

function formatRecovery(hex: string) {
  return `${hex.slice(0, 5)}-${hex.slice(5)}`;
}

export async function disableTwoFactor(db: Knex, adminId: number) {
  await db.transaction(async (trx) => {
    await trx('admins').where({ id: adminId }).update({ totp_enabled: false, totp_secret_enc: null, totp_pending_enc: null, totp_last_step: null, updated_at: nowUtc() });
    await trx('admin_recovery_codes').where({ admin_id: adminId }).delete();
  });
  return publicAdmin(await getAdmin(db, adminId));
}

/** The failed-login budgets (per account, per address) the gateway keeps; see RateLimits.loginLimiter. */
export interface LoginLimiter {
  points: number;
  consume(key: string, points: number): Promise<unknown>;
  reward(key: string, points: number): Promise<unknown>;
  delete(key: string): Promise<unknown>;
}
export interface LoginLimits {
  perAccount: LoginLimiter;
  perIp: LoginLimiter;
}

/**
 * Failed logins are throttled per account and per address, separately from the request budget. Each attempt
 * spends its point before the password is checked, so parallel guesses cannot all pass a check made before
 * any of them failed; a successful login gives the points back.
 */
export async function spendLoginAttempt(limits: LoginLimits | undefined, key: string, ip: string) {
  if (!limits) return;
  for (const [limiter, k] of [[limits.perAccount, key], [limits.perIp, ip]] as const) {
    try {
      await limiter.consume(k, 1);
    } catch (e) {
      const wait = (e as { msBeforeNext?: unknown })?.msBeforeNext;
      if (typeof wait !== 'number') throw e;
      const retry = Math.max(1, Math.ceil(wait / 1000));
      throw new AppError('rate_limited', `Too many failed logins; try again in ${retry} s.`, 429, { extra: { retry_after: retry, limit: limiter.points } });
    }
  }
}

export async function refundLoginAttempt(limits: LoginLimits | undefined, key: string, ip: string) {
  if (!limits) return;
  await Promise.allSettled([limits.perAccount.delete(key), limits.perIp.reward(ip, 1)]);
}

/** The budget key of an account: per tenant, usernames ignoring case. */
export const loginKey = (tenantSlug: string, username: string) => `${tenantSlug}:${username.toLowerCase()}`;

/**
 * A password or code check made by a signed-in caller (disabling 2FA, resetting someone's 2FA) spends from the
 * same per-account budget as a login: a stolen session must not become an unthrottled password oracle.
 */
export async function throttledCheck(limits: LoginLimits | undefined, key: string, ip: string, check: () => Promise<boolean>): Promise<boolean> {
  await spendLoginAttempt(limits, key, ip);
  const ok = await check();
  if (ok) await refundLoginAttempt(limits, key, ip);
  return ok;
}

/**
 * The login rules: budget first, then the password, then the second factor. The right password without a code
 * is the first half of a normal login, not a failure, and gives its points back.
 */
export async function authenticateLogin(
  db: Knex,
  secrets: SecretBox,
  limits: LoginLimits | undefined,
  input: { tenantSlug: string; username: string; password: string; code?: string; ip: string },
): Promise<AdminRow> {
  const key = loginKey(input.tenantSlug, input.username);
  await spendLoginAttempt(limits, key, input.ip);
  const admin = await checkPassword(db, input.username, input.password);
  if (!admin) throw new AppError('invalid_credentials', 'The username or password is wrong.', 401);
  if (admin.totp_enabled) {
    if (!input.code) {
      if (limits) await Promise.allSettled([limits.perAccount.reward(key, 1), limits.perIp.reward(input.ip, 1)]);
      throw new AppError('otp_required', 'Two-factor authentication is on: send the current code from the authenticator app as "code".', 401);
    }
    if (!(await verifySecondFactor(db, secrets, admin, input.code))) throw new AppError('invalid_otp', 'The two-factor code is wrong or was already used.', 401);
  }
  await refundLoginAttempt(limits, key, input.ip);
  return admin;
}
