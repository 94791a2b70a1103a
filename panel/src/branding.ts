import { setInstallation } from './format';

export interface Branding {
  company_name?: string | null;
  logo_url?: string | null;
  favicon_url?: string | null;
  theme?: string | null;
  theme_color?: string | null;
  timezone?: string | null;
  language?: string | null;
}

let current: Branding = {};
const listeners = new Set<(b: Branding) => void>();

export function branding() {
  return current;
}
export function onBranding(f: (b: Branding) => void) {
  listeners.add(f);
  return () => void listeners.delete(f);
}

/** Company name in the title, the uploaded favicon (else /favicon.ico), installation timezone for dates. */
export function applyBranding(b: Branding) {
  current = b;
  setInstallation(b);
  document.title = b.company_name ? `${b.company_name} · ispgate` : 'ispgate';
  const link = document.getElementById('favicon') as HTMLLinkElement | null;
  if (link) link.href = b.favicon_url || '/favicon.ico';
  if (b.theme_color) document.querySelector('meta[name=theme-color]')?.setAttribute('content', b.theme_color);
  listeners.forEach((f) => f(b));
}
