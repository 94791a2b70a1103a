import { z } from 'zod';
import { AppError } from '../../errors';
import { defineAction } from '../../gateway/action';
import { id, text } from '../../gateway/fields';
import { SESSION_COOKIE } from '../../gateway/pipeline';
import { callerAdmin } from '../../services/core/credentials';
import { assertNotBeyond, effectivePermissions, getAdmin, publicAdmin } from '../../services/core/admins';
import { authenticateLogin, createSession, destroySession, disableTwoFactor, finishEnrollment, loginKey, startEnrollment, throttledCheck, verifySecondFactor } from '../../services/core/auth';
import { verifyPassword } from '../../secrets';
import type { ActionContext } from '../../gateway/action';

/** Password and code checks of a signed-in caller spend from the account's login budget (services/core/auth.ts). */
function throttled(ctx: ActionContext, username: string, check: () => Promise<boolean>): Promise<boolean> {
  return throttledCheck(ctx.loginLimits, loginKey(ctx.tenant.slug, username), ctx.ip, check);
}

function requireAdmin(ctx: ActionContext): number {
  if (!ctx.actor.adminId) throw new AppError('admin_required', 'This action acts on your own admin account; use a panel session or an API key created with --admin.', 403);
  return ctx.actor.adminId;
}

export const login = defineAction({
  name: 'login',
  section: 'auth',
  summary: 'Open a panel session (sets an HttpOnly cookie, returns csrf_token)',
  input: z.object({ username: text(64), password: z.string().min(1).max(1024), code: z.string().trim().max(32).optional() }),
  permission: { public: true },
  rateClass: 'standard',
  audit: true,
  async run(ctx, input) {
    const admin = await authenticateLogin(ctx.db, ctx.secrets, ctx.loginLimits, { tenantSlug: ctx.tenant.slug, username: input.username, password: input.password, code: input.code, ip: ctx.ip });
    const s = await createSession(ctx.db, admin.id, ctx.config.SESSION_TTL_HOURS, { ip: ctx.ip, userAgent: ctx.headers['user-agent'] });
    ctx.setCookie?.(SESSION_COOKIE, s.token, { maxAgeSeconds: ctx.config.SESSION_TTL_HOURS * 3600 });
    return { admin: publicAdmin(admin), csrf_token: s.csrf, expires_in: ctx.config.SESSION_TTL_HOURS * 3600 };
  },
});

export const logout = defineAction({
  name: 'logout',
  section: 'auth',
  summary: 'End the current panel session',
  input: z.object({}).passthrough(),
  permission: { authenticated: true },
  rateClass: 'standard',
  audit: true,
  async run(ctx) {
    if (ctx.actor.sessionId) await destroySession(ctx.db, ctx.actor.sessionId);
    ctx.setCookie?.(SESSION_COOKIE, '', { maxAgeSeconds: 0 });
    return { logged_out: true };
  },
});

export const me = defineAction({
  name: 'me',
  section: 'auth',
  summary: 'Who am I: the calling admin or key with its permissions',
  input: z.object({}).passthrough(),
  permission: { authenticated: true },
  rateClass: 'standard',
  methods: ['GET', 'POST'],
  async run(ctx) {
    // The gate already read the caller's admin row: not read a second time.
    const row = ctx.actor.adminId ? (callerAdmin(ctx.actor) ?? (await getAdmin(ctx.db, ctx.actor.adminId))) : null;
    const admin = row ? publicAdmin(row) : null;
    return { type: ctx.actor.type, username: ctx.actor.username, admin, permissions: ctx.actor.permissions, tenant: ctx.tenant.slug };
  },
});

export const start2faEnroll = defineAction({
  name: 'start_2fa_enroll',
  section: 'auth',
  summary: 'Initiate TOTP 2FA enrollment — returns QR code and secret',
  input: z.object({}).passthrough(),
  permission: { authenticated: true },
  rateClass: 'standard',
  audit: true,
  async run(ctx) {
    return startEnrollment(ctx.db, ctx.secrets, requireAdmin(ctx));
  },
});

export const finish2faEnroll = defineAction({
  name: 'finish_2fa_enroll',
  section: 'auth',
  summary: 'Complete 2FA enrollment with verification code; returns one-time recovery codes',
  input: z.object({ code: z.string().trim().regex(/^\d{6}$/, 'must be the 6-digit code') }),
  permission: { authenticated: true },
  rateClass: 'standard',
  audit: true,
  async run(ctx, input) {
    return finishEnrollment(ctx.db, ctx.secrets, requireAdmin(ctx), input.code);
  },
});

export const disableOwn2fa = defineAction({
  name: 'disable_own_2fa',
  section: 'auth',
  summary: 'Disable 2FA for current admin account (needs a current code or the password)',
  input: z.object({ code: z.string().trim().optional(), password: z.string().optional() }).refine((v) => v.code || v.password, {
    message: 'send a current code or your password',
    path: ['code'],
  }),
  permission: { authenticated: true },
  rateClass: 'standard',
  audit: true,
  async run(ctx, input) {
    const admin = await getAdmin(ctx.db, requireAdmin(ctx));
    if (!admin.totp_enabled) throw new AppError('two_factor_not_enabled', 'Two-factor authentication is not on for this account.', 409);
    const ok = await throttled(ctx, admin.username, () =>
      input.code ? verifySecondFactor(ctx.db, ctx.secrets, admin, input.code) : verifyPassword(input.password!, admin.password_hash),
    );
    if (!ok) throw new AppError(input.code ? 'invalid_otp' : 'invalid_password', input.code ? 'The two-factor code is wrong.' : 'The password is wrong.', 403);
    return disableTwoFactor(ctx.db, admin.id);
  },
});

export const resetAdmin2fa = defineAction({
  name: 'reset_admin_2fa',
  section: 'admins',
  summary: "Reset 2FA for another admin (requires the caller's own password)",
  input: z.object({ id, password: z.string().min(1) }),
  permission: 'admins.write',
  rateClass: 'standard',
  async run(ctx, input) {
    const me = await getAdmin(ctx.db, requireAdmin(ctx));
    if (!(await throttled(ctx, me.username, () => verifyPassword(input.password, me.password_hash)))) throw new AppError('invalid_password', 'Your own password is wrong.', 403);
    const target = await getAdmin(ctx.db, input.id);
    if (target.is_primary && !me.is_primary) throw new AppError('forbidden', 'Only the primary admin can reset the primary admin’s 2FA.', 403);
    assertNotBeyond(effectivePermissions(target), ctx.actor.permissions, `The admin "${target.username}"`);
    return disableTwoFactor(ctx.db, target.id);
  },
});

export const authActions = [login, logout, me, start2faEnroll, finish2faEnroll, disableOwn2fa, resetAdmin2fa];
