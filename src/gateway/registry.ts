import { z } from 'zod';
import type { AnyAction } from './action';
import { isValidPermissionSpec } from './permissions';

export class ActionRegistry {
  private readonly byName = new Map<string, AnyAction>();

  /** Boot fails here on a duplicate name, a missing permission, rate class or schema. */
  constructor(actions: AnyAction[]) {
    for (const a of actions) {
      if (!a || typeof a.name !== 'string' || !/^[a-z][a-z0-9_]*$/.test(a.name)) throw new Error(`Action with invalid name: ${String(a?.name)}`);
      if (this.byName.has(a.name)) throw new Error(`Duplicate action name: ${a.name}`);
      if (!isValidPermissionSpec(a.permission)) throw new Error(`Action ${a.name} has a missing or invalid permission`);
      if (!['standard', 'billing', 'bulk'].includes(a.rateClass)) throw new Error(`Action ${a.name} has a missing or invalid rateClass`);
      if (!a.input || typeof (a.input as z.ZodType).safeParse !== 'function') throw new Error(`Action ${a.name} has no input schema`);
      if (typeof a.run !== 'function') throw new Error(`Action ${a.name} has no handler`);
      this.byName.set(a.name, a);
    }
  }

  get(name: string): AnyAction | undefined {
    return this.byName.get(name);
  }

  list(): AnyAction[] {
    return [...this.byName.values()];
  }

  describe(): Array<Record<string, unknown>> {
    return this.list()
      .map((a) => ({
        action: a.name,
        section: a.section,
        summary: a.summary,
        permission: a.permission,
        rate_class: a.rateClass,
        methods: a.methods ?? ['POST'],
        input: jsonSchema(a.input),
      }))
      .sort((x, y) => String(x.section).localeCompare(String(y.section)) || String(x.action).localeCompare(String(y.action)));
  }
}

function jsonSchema(s: z.ZodType): unknown {
  try {
    return z.toJSONSchema(s, { io: 'input', unrepresentable: 'any' });
  } catch {
    return { type: 'object' };
  }
}
