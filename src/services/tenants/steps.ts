import type { Logger } from '../../logger';

/**
 * Multi-system work (DDL, CREATE USER, files) cannot share one transaction: each step returns what its undo
 * needs, and a failure runs the undos of the steps that finished, in reverse. An undo that fails is logged and
 * the others still run, so one stuck resource does not leave all the rest behind.
 */
export class Steps {
  private readonly undos: Array<{ name: string; undo: () => Promise<void> }> = [];

  constructor(private readonly log: Logger) {}

  async run<T>(name: string, run: () => Promise<T>, undo?: (made: T) => Promise<void>): Promise<T> {
    const made = await run();
    if (undo) this.undos.push({ name, undo: () => undo(made) });
    return made;
  }

  async rollback(): Promise<void> {
    for (const { name, undo } of this.undos.reverse()) {
      try {
        await undo();
      } catch (e) {
        this.log.error('undo of a provisioning step failed', { step: name, err: (e as Error)?.message ?? String(e) });
      }
    }
    this.undos.length = 0;
  }
}
