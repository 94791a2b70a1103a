import { spawn, spawnSync } from 'node:child_process';
import { noteSkip } from '../helpers/skip';

let present: boolean | undefined;

/**
 * The real libxml2 `xmllint` binary (Debian libxml2-utils): an independent check of what the in-process validator
 * says. When it is missing the check is skipped out loud (noteSkip: the reason is printed and listed at the end of
 * the run), never counted as passed; under CI it must be there.
 */
export function hasXmllintBinary(): boolean {
  present ??= spawnSync('xmllint', ['--version']).status === 0;
  if (!present) {
    if (process.env.CI) throw new Error('xmllint is not installed, and CI must run the XSD check (apt-get install libxml2-utils).');
    noteSkip('the xmllint cross-check was not run: xmllint is not installed (apt-get install libxml2-utils)');
  }
  return present;
}

/** Validates with the xmllint binary; rejects (never "passes") when the binary is missing. */
export function xmllintSchema(xml: string, xsdPath: string): Promise<{ valid: boolean; output: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn('xmllint', ['--noout', '--nonet', '--schema', xsdPath, '-']);
    let output = '';
    p.stdout.on('data', (d) => (output += d));
    p.stderr.on('data', (d) => (output += d));
    p.on('error', (e) => reject(new Error(`xmllint could not be run (${(e as NodeJS.ErrnoException).code ?? e.message}); install libxml2-utils`)));
    p.on('close', (code) => resolve({ valid: code === 0, output }));
    p.stdin.on('error', () => undefined);
    p.stdin.end(xml);
  });
}

/**
 * For a test that checks a document with xmllint when it can: the verdict, or 'skipped' (with its reason
 * reported) when the binary is missing. Callers must not treat 'skipped' as valid.
 */
export async function xmllintVerdict(xml: string, xsdPath: string): Promise<boolean | 'skipped'> {
  if (!hasXmllintBinary()) return 'skipped';
  return (await xmllintSchema(xml, xsdPath)).valid;
}
