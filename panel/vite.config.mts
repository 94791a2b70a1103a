import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = path.dirname(fileURLToPath(import.meta.url));

// The operator panel: sources in panel/, built into public/ (served by ispgate itself; no CDN).
export default defineConfig({
  root: here,
  base: './',
  publicDir: path.resolve(here, 'public'),
  oxc: { jsx: { runtime: 'automatic', importSource: 'react' } },
  build: {
    outDir: path.resolve(here, '../public'),
    emptyOutDir: true,
    chunkSizeWarningLimit: 4000,
    sourcemap: false,
    rolldownOptions: {
      onwarn(warning, warn) {
        // MUI ships "use client" directives (meaningless outside server components).
        if (warning.code === 'MODULE_LEVEL_DIRECTIVE') return;
        warn(warning);
      },
    },
  },
});
