import type { z } from 'zod';
import { systemContext } from '../src/context';
import { DEFAULT_TENANT } from '../src/db/tenants';
import type { Runtime } from '../src/runtime';

/**
 * A small demo ISP: three plans, a handful of subscribers, billing settings. Goes through the same actions
 * (and validation) as the API, so the demo data is exactly what a client could have created. Idempotent:
 * records that exist already are left alone.
 */
export async function seedDemo(rt: Runtime): Promise<string> {
  const ctx = systemContext(rt, DEFAULT_TENANT, rt.db, 'seed');
  const done: string[] = [];
  const run = async (action: string, params: Record<string, unknown>) => {
    const a = rt.registry.get(action);
    if (!a) return null;
    const parsed = (a.input as z.ZodType).safeParse(params);
    if (!parsed.success) throw new Error(`seed: ${action} input invalid: ${parsed.error.message}`);
    try {
      const r = await a.run(ctx, parsed.data);
      done.push(action);
      return r;
    } catch (e) {
      const code = (e as { code?: string }).code ?? '';
      if (/^duplicate/.test(code)) return null;
      throw e;
    }
  };

  await run('save_settings', { company_name: 'Demo Net', timezone: 'Europe/Athens', language: 'el', theme: 'light' });
  await run('save_billing_settings', {
    company_name: 'Demo Net IKE',
    company_afm: '094014201',
    company_doy: 'ΔΟΥ Αθηνών',
    company_address: 'Panepistimiou 1, Athens',
  });
  await run('add_plan', { name: 'FTTH 100', download: '100M', upload: '10M', price: '24.80', priority: '8' });
  await run('add_plan', { name: 'FTTH 300', download: '300M', upload: '30M', price: '34.80', priority: '6' });
  await run('add_plan', { name: 'VDSL 50', download: '50M', upload: '5M', price: '19.90', burst_limit: '8M/60M', burst_threshold: '4M/40M', burst_time: '10s/10s' });
  const people = [
    ['gpapadopoulos', 'Giorgos Papadopoulos', 'FTTH 100', '6971234567'],
    ['mkonstantinou', 'Maria Konstantinou', 'FTTH 300', '6987654321'],
    ['nikos.v', 'Nikos Vlachos', 'VDSL 50', '6944556677'],
    ['eleni.k', 'Eleni Karagianni', 'FTTH 100', '6933221100'],
  ];
  for (const [username, fullname, plan, phone] of people) {
    await run('add', { username, password: `demo-${username}-pw`, fullname, plan, phone, email: `${username.replace('.', '')}@example.com`, address: 'Athens' });
  }
  return done.length ? `seeded: ${done.join(', ')}` : 'demo data already present';
}
