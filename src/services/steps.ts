/**
 * Steps with undo (compensation): an operation that spans the database and outside systems (RouterOS, a NAS, a
 * gateway, myDATA) is a list of steps run in order, each returning what its undo needs. When one fails, the ones
 * done are undone newest first and the error goes up. The database is one step among them (its own short
 * transaction, with a compensating one as undo), so no transaction is ever open while a peer is called.
 *
 * An undo that fails leaves something half-made on the peer: `onUndoFailed` records it (see effects.ts) so a job
 * converges it, retrying and then reporting.
 */
import type { Logger } from '../logger';

export interface Step<U = unknown> {
  name: string;
  do(): Promise<U>;
  undo?(u: U): Promise<void>;
}

export interface StepsOptions {
  log?: Logger;
  onUndoFailed?(name: string, error: unknown): Promise<void>;
}

/** Builds a step with a typed result; the array of steps stays heterogeneous. */
export function step<U>(s: Step<U>): Step<U> {
  return s;
}

/** Runs the steps in order; returns their results. On failure, undoes the finished ones in reverse and rethrows. */
export async function runSteps(steps: Step<any>[], opts: StepsOptions = {}): Promise<unknown[]> {
  const done: Array<{ s: Step<any>; u: unknown }> = [];
  try {
    for (const s of steps) {
      const u = await s.do();
      done.push({ s, u });
    }
    return done.map((d) => d.u);
  } catch (e) {
    await undoAll(done, opts);
    throw e;
  }
}

async function undoAll(done: Array<{ s: Step<any>; u: unknown }>, opts: StepsOptions): Promise<void> {
  for (const { s, u } of done.reverse()) {
    if (!s.undo) continue;
    try {
      await s.undo(u);
    } catch (err) {
      opts.log?.error('undo failed; recorded for convergence', { step: s.name, err: String((err as Error)?.message ?? err) });
      try {
        await opts.onUndoFailed?.(s.name, err);
      } catch (recErr) {
        opts.log?.error('could not record a failed undo', { step: s.name, err: String((recErr as Error)?.message ?? recErr) });
      }
    }
  }
}
