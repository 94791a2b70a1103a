import { z } from 'zod';
import { parseMoney } from '../../domain/money';
import { defineAction, type AnyAction } from '../../gateway/action';
import { blank, optionalDate, optionalId, optionalText, Page, page, perPage, text } from '../../gateway/fields';
import { resolveCustomerId } from '../../services/billing/customers';
import { createBatch, customerBalance, listCards, redeemCard } from '../../services/vouchers';


export const rechargeCardBatchCreate = defineAction({
  name: 'recharge_card_batch_create',
  section: 'billing',
  summary: 'Print a batch of prepaid recharge cards of one value (1-1000); the PINs are answered once and stored hashed',
  input: z.object({
    name: text(128),
    quantity: z.preprocess((v) => (typeof v === 'string' && /^\d{1,6}$/.test(v.trim()) ? Number(v) : v), z.number().int().min(1).max(1000)),
    value: z.union([z.string(), z.number()]),
    expires_on: optionalDate,
  }),
  permission: 'billing.write',
  rateClass: 'billing',
  run: (ctx, input) => createBatch(ctx, { name: input.name, quantity: input.quantity, valueCents: parseMoney(input.value, 'value'), expiresOn: input.expires_on }),
});

export const rechargeCardList = defineAction({
  name: 'recharge_card_list',
  section: 'billing',
  summary: 'Recharge cards (serial, value, state, who redeemed them; never the PIN), paginated',
  input: z.object({ batch_id: optionalId, status: z.preprocess(blank, z.enum(['active', 'redeemed', 'void']).optional()), page, per_page: perPage(100, 25) }),
  permission: 'billing.read',
  rateClass: 'standard',
  methods: ['GET', 'POST'],
  async run(ctx, input) {
    const r = await listCards(ctx.db, input);
    return Page.of(r.items, input.page, input.per_page, r.total);
  },
});

export const rechargeCardRedeem = defineAction({
  name: 'recharge_card_redeem',
  section: 'payments',
  summary: "Redeem a recharge card's PIN for a subscriber: credits their balance once",
  input: z.object({ pin: text(32), customer_id: optionalId, username: optionalText(64) }),
  permission: 'payments.write',
  // PIN guessing is held to the billing budget.
  rateClass: 'billing',
  async run(ctx, input) {
    const customerId = (await resolveCustomerId(ctx.db, input))!;
    return redeemCard(ctx, { pin: input.pin, customerId });
  },
});

export const customerCreditBalance = defineAction({
  name: 'customer_balance',
  section: 'billing',
  summary: "A subscriber's prepaid balance (credits from recharge cards)",
  input: z.object({ customer_id: optionalId, username: optionalText(64) }),
  permission: 'billing.read',
  rateClass: 'standard',
  methods: ['GET', 'POST'],
  async run(ctx, input) {
    const customerId = (await resolveCustomerId(ctx.db, input))!;
    const cents = await customerBalance(ctx.db, customerId);
    return { customer_id: customerId, balance: cents / 100, balance_cents: cents };
  },
});

export const voucherActions: AnyAction[] = [rechargeCardBatchCreate, rechargeCardList, rechargeCardRedeem, customerCreditBalance];
