import fs from 'node:fs';

/**
 * Skips that say why. A test that cannot run here (no xmllint, no FreeRADIUS, no browser) is skipped with its
 * reason, and the reason reaches the end of `npm test` through test/helpers/skip-reporter.js, which collects
 * these notes (ISPGATE_SKIP_LOG) and every skipped test's name.
 */
export function noteSkip(reason: string, where = expect.getState?.().currentTestName ?? ''): void {
  const line = `${where ? `${where}: ` : ''}${reason}`;
  const log = process.env.ISPGATE_SKIP_LOG;
  if (log) fs.appendFileSync(log, JSON.stringify({ file: expect.getState?.().testPath ?? '', line }) + '\n');
  // eslint-disable-next-line no-console
  console.warn(`skipped: ${line}`);
}

/** `testIf(cond, reason)('name', fn)`: the test, or a skipped test whose name carries the reason. */
export function testIf(cond: boolean, reason: string) {
  if (cond) return test;
  return (name: string, fn?: jest.ProvidesCallback, timeout?: number) => {
    test.skip(`${name} [skipped: ${reason}]`, fn, timeout);
  };
}

/** `describeIf(cond, reason)('name', fn)`: the block, or a skipped block whose name carries the reason. */
export function describeIf(cond: boolean, reason: string) {
  if (cond) return describe;
  return (name: string, fn: jest.EmptyFunction) => describe.skip(`${name} [skipped: ${reason}]`, fn);
}
