#!/usr/bin/env node
// The cnmsim command: runs the bundle that `npm ci` builds (scripts/build.mjs).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const bundle = fileURLToPath(new URL('../dist/cnmsim.mjs', import.meta.url));
if (!existsSync(bundle)) {
  process.stderr.write('cnmsim: dist/cnmsim.mjs is missing; run `npm ci` (or `npm run build`) first.\n');
  process.exit(2);
}
await import(bundle);
