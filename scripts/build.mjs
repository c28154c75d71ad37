// Bundles the cnmsim command into one ESM file (dist/cnmsim.mjs) with esbuild, so the command
// starts fast and needs no TypeScript at run time. Run by `npm ci` / `npm install` (prepare).
import { build } from 'esbuild';

await build({
  entryPoints: ['src/cli/main.ts'],
  outfile: 'dist/cnmsim.mjs',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  legalComments: 'linked',
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  logLevel: 'warning',
});
