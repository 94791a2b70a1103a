import { z } from 'zod';
import { defineAction } from '../../gateway/action';
import { blank, clearableText, optionalBool, optionalId, optionalText, Page, page, perPage } from '../../gateway/fields';
import { errors } from '../../errors';
import { morLinkFields, withMorLink } from '../voip/customer-link';
import { telegramChatId } from '../notifications/fields';
import {
  createCustomer,
  deleteCustomer,
  getCustomer,
  listCustomers,
  toggleCustomerStatus,
  updateCustomer,
  type CustomerRef,
} from '../../services/network/customers';

/** Passwords are taken as typed: no trimming, a space may be part of one. */
const password = z.string().min(1).max(128);
const customFields = z.preprocess(
  blank,
  z.record(z.string().trim().min(1).max(64), z.union([z.string().max(1000), z.number()]).transform(String)).optional(),
);

/** `id` or `username` names the subscriber. */
function refOf(input: { id?: number; username?: string }): CustomerRef {
  if (input.id !== undefined) return { id: input.id };
  if (input.username !== undefined) return { username: input.username };
  throw errors.missing('id');
}

export const addCustomer = defineAction({
  name: 'add',
  section: 'customers',
  summary: 'Create a subscriber with PPPoE/DHCP credentials, service plan and contact details',
  input: z.object({
    username: z.string().trim().min(1).max(64),
    password,
    fullname: optionalText(191),
    email: optionalText(191),
    phone: optionalText(32),
    address: optionalText(255),
    afm: optionalText(16),
    plan: optionalText(64),
    plan_id: optionalId,
    static_ip: optionalText(45),
    pool: optionalText(64),
    mac_address: optionalText(32),
    custom_fields: customFields,
    router: optionalText(100),
    telegram_chat_id: telegramChatId,
  }),
  permission: 'customers.write',
  rateClass: 'standard',
  run: (ctx, input) => createCustomer(ctx, input),
});

export const editCustomer = defineAction({
  name: 'edit',
  section: 'customers',
  summary: 'Update a subscriber (id names them; username renames) — plan, speed, contact info, custom fields',
  input: z.object({
    id: optionalId,
    /** With id: the new username. Without id: names the subscriber. */
    username: optionalText(64),
    password: z.preprocess(blank, password.optional()),
    fullname: clearableText(191),
    email: clearableText(191),
    phone: clearableText(32),
    address: clearableText(255),
    afm: clearableText(16),
    plan: optionalText(64),
    plan_id: optionalId,
    static_ip: clearableText(45),
    pool: optionalText(64),
    mac_address: clearableText(32),
    custom_fields: customFields,
    router: clearableText(100),
    telegram_chat_id: telegramChatId,
    ...morLinkFields,
  }),
  permission: 'customers.write',
  rateClass: 'standard',
  async run(ctx, input) {
    const { id, username, mor_user_id, mor_username, ...rest } = input;
    const ref = refOf({ id, username });
    return withMorLink(ctx, ref, { mor_user_id, mor_username }, () => updateCustomer(ctx, ref, { ...rest, ...(id !== undefined && username !== undefined ? { username } : {}) }));
  },
});

export const deleteCustomerAction = defineAction({
  name: 'delete',
  section: 'customers',
  summary: "Delete a subscriber with their RADIUS rows and router entries; live sessions are disconnected (force=1 when the router is gone)",
  input: z.object({ id: optionalId, username: optionalText(64), force: optionalBool }),
  permission: 'customers.write',
  rateClass: 'standard',
  run: (ctx, input) => deleteCustomer(ctx, refOf(input), input.force ?? false),
});

export const toggleStatus = defineAction({
  name: 'toggle_status',
  section: 'customers',
  summary: 'Suspend or unsuspend a subscriber (status=active|suspended; without it, flips the current one)',
  input: z.object({
    id: optionalId,
    username: optionalText(64),
    status: z.preprocess(blank, z.enum(['active', 'suspended']).optional()),
    reason: optionalText(255),
  }),
  permission: 'customers.write',
  rateClass: 'standard',
  async run(ctx, input) {
    return toggleCustomerStatus(ctx, refOf(input), input.status, input.reason);
  },
});

export const getCustomerAction = defineAction({
  name: 'get_customer',
  section: 'customers',
  summary: 'One subscriber by id or username, with plan, router and online state',
  input: z.object({ id: optionalId, username: optionalText(64) }),
  permission: 'customers.read',
  rateClass: 'standard',
  methods: ['GET', 'POST'],
  run: (ctx, input) => getCustomer(ctx, refOf(input)),
});

export const listCustomersAction = defineAction({
  name: 'list_customers',
  section: 'customers',
  summary: 'Subscribers, by page or keyset cursor (meta.next_cursor); search (word starts of name, username, e-mail and AFM, accents ignored; a phone number whole or by its last 4+ digits); filter by status, plan, router',
  input: z.object({
    page,
    per_page: perPage(100, 25),
    search: optionalText(100),
    status: z.preprocess(blank, z.enum(['active', 'suspended']).optional()),
    plan: optionalText(64),
    router: optionalText(100),
    cursor: optionalText(64),
  }),
  permission: 'customers.read',
  rateClass: 'standard',
  methods: ['GET', 'POST'],
  run: async (ctx, input) => {
    const r = await listCustomers(ctx, input);
    return new Page(r.customers, r.meta);
  },
});

export const customerActions = [addCustomer, editCustomer, deleteCustomerAction, toggleStatus, getCustomerAction, listCustomersAction];
