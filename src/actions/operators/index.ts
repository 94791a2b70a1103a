import { z } from 'zod';
import { parseMoney } from '../../domain/money';
import { defineAction, type AnyAction } from '../../gateway/action';
import { blank, clearableText, id, optionalText, Page, page, perPage, text } from '../../gateway/fields';
import { createOperator, fundOperator, listOperators, updateOperator } from '../../services/operators';


export const operatorCreate = defineAction({
  name: 'operator_create',
  section: 'admins',
  summary: 'Create an operator (a reseller sub-account with a funds balance)',
  input: z.object({ name: text(128), email: optionalText(191), phone: optionalText(32) }),
  permission: 'admins.write',
  rateClass: 'standard',
  run: (ctx, input) => createOperator(ctx, input),
});

export const operatorEdit = defineAction({
  name: 'operator_edit',
  section: 'admins',
  summary: "Change an operator's name, contact details or status (active|suspended)",
  input: z.object({ id, name: optionalText(128), email: clearableText(191), phone: clearableText(32), status: z.preprocess(blank, z.enum(['active', 'suspended']).optional()) }),
  permission: 'admins.write',
  rateClass: 'standard',
  run: (ctx, { id: opId, ...rest }) => updateOperator(ctx, opId, rest),
});

export const operatorSuspend = defineAction({
  name: 'operator_suspend',
  section: 'admins',
  summary: 'Suspend an operator (no funding while suspended)',
  input: z.object({ id }),
  permission: 'admins.write',
  rateClass: 'standard',
  run: (ctx, input) => updateOperator(ctx, input.id, { status: 'suspended' }),
});

export const operatorFund = defineAction({
  name: 'operator_fund',
  section: 'admins',
  summary: "Add funds to an operator's balance; the reference makes a retry add nothing (money exactly once)",
  input: z.object({ id, amount: z.union([z.string(), z.number()]), reference: text(128), note: optionalText(255) }),
  permission: 'admins.write',
  rateClass: 'billing',
  run: (ctx, input) => fundOperator(ctx, input.id, { amountCents: parseMoney(input.amount, 'amount'), reference: input.reference, note: input.note }),
});

export const operatorList = defineAction({
  name: 'operator_list',
  section: 'admins',
  summary: 'Operators with their balance and status, paginated',
  input: z.object({ status: z.preprocess(blank, z.enum(['active', 'suspended']).optional()), page, per_page: perPage(100, 25) }),
  permission: 'admins.read',
  rateClass: 'standard',
  methods: ['GET', 'POST'],
  async run(ctx, input) {
    const r = await listOperators(ctx.db, input);
    return Page.of(r.items, input.page, input.per_page, r.total);
  },
});

export const operatorActions: AnyAction[] = [operatorCreate, operatorEdit, operatorSuspend, operatorFund, operatorList];
