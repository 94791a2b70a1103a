import { z } from 'zod';
import { defineAction } from '../../src/gateway/action';
import { ActionRegistry } from '../../src/gateway/registry';
import { allActions } from '../../src/actions';

const a = (over: Record<string, unknown> = {}) =>
  defineAction({ name: 'x_y', section: 's', summary: '', input: z.object({}), permission: 'customers.read', rateClass: 'standard', run: async () => null, ...over } as never);

test('boot fails on a duplicate name, a missing permission or rate class', () => {
  expect(() => new ActionRegistry([a(), a()])).toThrow(/Duplicate action name: x_y/);
  expect(() => new ActionRegistry([a({ permission: undefined })])).toThrow(/permission/);
  expect(() => new ActionRegistry([a({ permission: 'nosuch.write' })])).toThrow(/permission/);
  expect(() => new ActionRegistry([a({ rateClass: 'fast' })])).toThrow(/rateClass/);
  expect(() => new ActionRegistry([a({ input: undefined })])).toThrow(/schema/);
  expect(new ActionRegistry([a()]).get('x_y')).toBeDefined();
});

test('the real action list builds a registry', () => {
  const r = new ActionRegistry(allActions(() => []));
  expect(r.list().length).toBeGreaterThan(15);
});
