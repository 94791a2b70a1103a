import type { AuthProvider } from 'react-admin';
import { ApiError, call, setCsrfToken } from './api/client';
import { forgetCapabilities, loadCapabilities } from './api/capabilities';

/** Thrown by login when the password was right and a second factor is needed (the page then asks for it). */
export class OtpRequired extends Error {}

export const authProvider: AuthProvider = {
  async login({ username, password, code }: { username: string; password: string; code?: string }) {
    try {
      const r = await call('login', { username, password, ...(code ? { code } : {}) });
      setCsrfToken(r.data.csrf_token);
      forgetCapabilities();
      await loadCapabilities(true);
    } catch (e) {
      if (e instanceof ApiError && e.code === 'otp_required') throw new OtpRequired(e.message);
      throw e;
    }
  },
  async logout() {
    try {
      await call('logout');
    } catch {
      /* already signed out */
    }
    setCsrfToken(null);
    forgetCapabilities();
  },
  async checkAuth() {
    await loadCapabilities();
  },
  async checkError(error: { status?: number }) {
    if (error?.status === 401) {
      setCsrfToken(null);
      forgetCapabilities();
      throw error;
    }
    // 403 forbidden is shown as a notification, the admin stays signed in.
  },
  async getIdentity() {
    const c = await loadCapabilities();
    return { id: c.me.admin?.id ?? c.me.username, fullName: c.me.username };
  },
  async getPermissions() {
    const c = await loadCapabilities();
    return { sections: c.me.permissions, actions: [...c.actions.keys()].filter((a) => c.can(a)) };
  },
};
