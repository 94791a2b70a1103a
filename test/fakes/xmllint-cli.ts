import { spawn, spawnSync } from 'node:child_process';

/** The real libxml2 `xmllint` binary (Debian libxml2-utils): an independent check of what the in-process validator says. */
export function hasXmllintBinary(): boolean {
  return spawnSync('xmllint', ['--version']).status === 0;
}

export function xmllintSchema(xml: string, xsdPath: string): Promise<{ valid: boolean; output: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn('xmllint', ['--noout', '--nonet', '--schema', xsdPath, '-']);
    let output = '';
    p.stdout.on('data', (d) => (output += d));
    p.stderr.on('data', (d) => (output += d));
    p.on('error', reject);
    p.on('close', (code) => resolve({ valid: code === 0, output }));
    p.stdin.end(xml);
  });
}
