import crypto from 'node:crypto';
import { AppError, isAppError } from '../../errors';
import { forUpdate, insertId, nowUtc, parseJson, toIso } from '../../db/knex';
import type { ServiceContext } from '../context';
import { morClient } from './settings';
import type { VoipTarget } from './subscribers';

export interface ProvisionInput {
  target: VoipTarget;
  mor_username?: string;
  mor_password?: string;
  email?: string;
  device_description?: string;
  did?: string;
  did_provider_id?: number;
}

const LEASE_MS = 5 * 60_000;

type Remain = { kind: 'user' | 'device' | 'did'; id: string | number | null; note?: string };

/**
 * Creates what a subscriber needs on MOR: the user (user_register, unless already linked), a SIP device
 * (device_create) and optionally a DID (did_create). A row is committed first and updated after each step, so a
 * crash leaves a record. MOR's legacy API has no call to delete a user, device or DID, so a failure half-way
 * cannot undo what was created: the row turns `incomplete`, the reply names what remains, and running
 * mor_provisioning again reuses it instead of creating a second one.
 */
export async function provision(ctx: ServiceContext, input: ProvisionInput) {
  const t = input.target;
  if (t.customerId === null) throw new AppError('missing_username', 'mor_provisioning needs the subscriber\'s username.', 422, { details: { username: 'required' } });
  const { client, settings } = await morClient(ctx);
  const now = nowUtc();
  // One provisioning per subscriber at a time: two at once would register two MOR users. The customer row lock
  // serialises the check and the claim; a run that died leaves its row stale after the lease and is taken over.
  const { id, resume } = await ctx.db.transaction(async (trx) => {
    await forUpdate(trx, trx('customers').where({ id: t.customerId }).first('id'));
    const busy = await trx('voip_devices').where({ customer_id: t.customerId, state: 'provisioning' }).where('updated_at', '>', nowUtc(new Date(Date.now() - LEASE_MS))).first('id');
    if (busy) throw new AppError('voip_provisioning_in_progress', 'This subscriber is being provisioned on MOR right now; try again in a minute.', 409, { extra: { provisioning_id: Number(busy.id) } });
    const prior = await trx('voip_devices').where({ customer_id: t.customerId }).whereIn('state', ['incomplete', 'provisioning']).orderBy('id', 'desc').first();
    if (prior) {
      await trx('voip_devices').where({ id: prior.id }).update({ state: 'provisioning', updated_at: now });
      return { id: Number(prior.id), resume: prior };
    }
    return { id: await insertId(trx, 'voip_devices', { customer_id: t.customerId, mor_user_id: t.morUserId, state: 'provisioning', created_at: now, updated_at: now }), resume: null };
  });
  const set = async (patch: Record<string, unknown>) => ctx.db('voip_devices').where({ id }).update({ ...patch, updated_at: nowUtc() });
  const remains: Remain[] = [];
  let userId = t.morUserId;
  let morUsername = t.morUsername;
  let createdUser = false;
  let device: { deviceId: string; username: string | null; password: string | null } | null = resume?.mor_device_id
    ? { deviceId: String(resume.mor_device_id), username: resume.sip_username ?? null, password: null }
    : null;
  let didId: string | null = resume?.mor_did_id ?? null;
  let step: Remain['kind'] = 'user';
  try {
    if (userId === null) {
      if (!settings.mor_unique_hash) throw new AppError('voip_not_configured', 'Creating MOR users needs mor_unique_hash (the UNIQUEHASH on MOR\'s API settings tab); save it with save_voip_settings.', 422);
      morUsername = input.mor_username ?? t.username!;
      const password = input.mor_password ?? crypto.randomBytes(12).toString('base64url');
      const email = input.email ?? t.email ?? undefined;
      const [first, ...rest] = String(t.fullname ?? t.username ?? '').trim().split(/\s+/);
      const reg = await client.userRegister({
        email, id: settings.mor_unique_hash, username: morUsername, first_name: first || undefined, last_name: rest.join(' ') || undefined,
        password, password2: password,
      });
      if (reg.userId === null) throw new AppError('mor_error', `MOR registered "${morUsername}" but did not say its user id; link it with edit (mor_user_id).`, 502);
      userId = reg.userId;
      createdUser = true;
      remains.push({ kind: 'user', id: userId });
      // Linked at once: the user exists on MOR whatever happens next, and a rerun must reuse it.
      await ctx.db('customers').where({ id: t.customerId }).update({ mor_user_id: userId, mor_username: morUsername, updated_at: nowUtc() });
      await set({ mor_user_id: userId });
    } else {
      // An existing MOR user named by mor_user_id: the subscriber is linked to it here.
      const cur = await ctx.db('customers').where({ id: t.customerId }).first('mor_user_id', 'mor_username');
      if (cur.mor_user_id === null || cur.mor_user_id === undefined) {
        const other = await ctx.db('customers').where({ mor_user_id: userId }).whereNot({ id: t.customerId }).first('username');
        if (other) throw new AppError('duplicate_mor_user_id', `MOR user ${userId} is already linked to subscriber "${other.username}".`, 409, { details: { mor_user_id: 'linked to another subscriber' } });
        morUsername = input.mor_username ?? cur.mor_username ?? null;
        await ctx.db('customers').where({ id: t.customerId }).update({ mor_user_id: userId, mor_username: morUsername, updated_at: nowUtc() });
      }
      await set({ mor_user_id: userId });
    }
    step = 'device';
    if (!device) {
      device = await client.deviceCreate({ userId, description: input.device_description ?? `ispgate ${t.username}`, type: 'SIP' });
      remains.push({ kind: 'device', id: device.deviceId });
      await set({ mor_device_id: device.deviceId, sip_username: device.username, sip_password_sealed: device.password ? ctx.secrets.encrypt(device.password) : null });
    }
    step = 'did';
    if (input.did && !didId) {
      const r = await client.didCreate({ did: input.did, providerId: input.did_provider_id ?? settings.did_provider_id ?? undefined });
      didId = r.didId;
      await set({ did: input.did, mor_did_id: didId });
    }
    await set({ state: 'active', remains: null });
  } catch (e) {
    const left: Remain[] = [...(resume ? parseJson<Remain[]>(resume.remains, []) : []), ...remains];
    // No reply: MOR may have created it anyway, and nothing on its API lists it by our request; an operator checks.
    if (isAppError(e) && e.extra?.outcome === 'unknown') left.push({ kind: step, id: null, note: 'MOR did not answer; it may have been created' });
    await set({ state: left.length ? 'incomplete' : 'failed', remains: left.length ? JSON.stringify(left) : null });
    if (!left.length || !isAppError(e)) throw e;
    const list = left.map((r) => (r.id === null ? `${r.kind} (unknown: no answer)` : `${r.kind} ${r.id}`)).join(', ');
    throw new AppError(e.code, `${e.message} MOR has no API call to remove what was already created (${list}); it stays linked and mor_provisioning again continues from there.`, e.status, {
      extra: { ...(e.extra ?? {}), provisioning_id: id, remains: left },
    });
  }
  return {
    provisioning_id: id,
    customer_id: t.customerId,
    username: t.username,
    mor_user_id: userId,
    mor_username: morUsername,
    user_created: createdUser,
    device: { id: device!.deviceId, type: 'SIP' },
    // Shown once: MOR's reply is the only place the secret is in clear; it is stored sealed.
    sip_credentials: device!.password ? { username: device!.username, password: device!.password } : null,
    did: input.did ? { did: input.did, mor_did_id: didId } : null,
    state: 'active',
    created_at: toIso(now),
  };
}
