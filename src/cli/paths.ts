/**
 * Where the package's own files are: the bundled scenarios (`scenarios/*.yaml`) that `cnmsim
 * list` and `cnmsim demo` read. Found from this module's own location, so it works both from the
 * sources (src/cli/paths.ts) and from the bundle (dist/cnmsim.mjs).
 * Leaves out: an override by environment variable (tests pass `scenariosDir` to runCli).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The folder with the package.json of `cnmsim`, searched upwards from this module. */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i += 1) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && isCnmsim(manifest)) return dir;
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return process.cwd();
}

function isCnmsim(manifest: string): boolean {
  try {
    return (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown }).name === 'cnmsim';
  } catch {
    return false;
  }
}

export function bundledScenarios(): string {
  return join(packageRoot(), 'scenarios');
}
