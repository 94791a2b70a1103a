#!/usr/bin/env node
/**
 * Compiles the server (src/, migrations/, seeds/) to plain JavaScript in dist/ (npm run build; also prestart), so
 * `npm start` runs `node dist/src/server.js` instead of transpiling TypeScript at run time: no loader thread and no
 * transpiler in the serving process, ~45 MiB less resident memory (bench/README.md). One file per source file,
 * same layout under dist/ (dist/src/…, dist/migrations/…), so paths relative to a module stay true. Types are
 * checked by `npm run typecheck`, not here; the build takes about a second.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.join(root, 'dist');

function sources(dir, acc = []) {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) sources(p, acc);
    else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')) acc.push(p);
  }
  return acc;
}

const entryPoints = ['src', 'migrations', 'seeds'].flatMap((d) => sources(path.join(root, d)));
// --also <file.ts>: one more file compiled beside them (a bench server: bench/lib/util.ts startServer).
for (let i = process.argv.indexOf('--also'); i > 0; i = process.argv.indexOf('--also', i + 1)) entryPoints.push(path.resolve(root, process.argv[i + 1]));
// A file removed from src/ must not live on in dist/ (a stale migration would still be run).
for (const d of ['src', 'migrations', 'seeds']) fs.rmSync(path.join(out, d), { recursive: true, force: true });
const started = Date.now();
await build({
  absWorkingDir: root,
  entryPoints,
  outdir: out,
  outbase: root,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: 'linked',
  logLevel: 'warning',
});
if (!process.argv.includes('--quiet')) console.log(`server: ${entryPoints.length} files built into dist/ in ${Date.now() - started} ms`);
