#!/usr/bin/env node
/**
 * Builds the operator panel into public/ (npm run build:panel; also prestart and pretest). Skips when nothing
 * the build depends on changed since the last build (hash in public/.panel-build), so a start stays fast.
 * Steps: describe → typed client (panel/src/api/actions.gen.ts), tsc on panel/, vite build.
 */
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const stamp = path.join(root, 'public/.panel-build');
const force = process.argv.includes('--force');

function walk(dir, out = []) {
  if (!fs.existsSync(dir)) return out;
  for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p, out);
    else out.push(p);
  }
  return out;
}

function inputsHash() {
  const h = createHash('sha256');
  // The panel's sources and the action registry (its inputs become the typed client).
  const files = [...walk(path.join(root, 'panel')), ...walk(path.join(root, 'src/actions')), ...walk(path.join(root, 'src/gateway')), path.join(root, 'package-lock.json')]
    .filter((f) => !f.endsWith('actions.gen.ts') && !f.endsWith('describe.json'));
  for (const f of files) {
    h.update(path.relative(root, f));
    h.update(fs.readFileSync(f));
  }
  return h.digest('hex');
}

const hash = inputsHash();
if (!force && fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8').trim() === hash && fs.existsSync(path.join(root, 'public/index.html'))) {
  console.log('panel: up to date');
  process.exit(0);
}
const run = (cmd, args) => {
  try {
    execFileSync(cmd, args, { cwd: root, stdio: 'inherit' });
  } catch {
    console.error(`panel: build failed at ${path.basename(cmd)} ${args.join(' ')} (see above)`);
    process.exit(1);
  }
};
const bin = (name) => path.join(root, 'node_modules/.bin', name);
console.log('panel: building');
run(bin('tsx'), ['panel/scripts/describe.ts']);
run(bin('tsc'), ['-p', 'panel/tsconfig.json']);
run(bin('vite'), ['build', '--config', 'panel/vite.config.mts', '--logLevel', 'warn']);
fs.writeFileSync(stamp, hash + '\n');
console.log('panel: built into public/');
