/**
 * The layer rules of design.md section 2 are enforced by dependency-cruiser (`npm run layers`).
 * This test proves the check can fail: it copies the configuration into a scratch tree, plants
 * an upward import (engine importing kernel), a back-door import past a module's index.ts and
 * an import cycle, and expects each to be reported; the real tree must pass.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
const depcruise = join(root, 'node_modules/.bin/depcruise');
const scratch = mkdtempSync(join(tmpdir(), 'cnmsim-layers-'));

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function cruise(cwd: string): { code: number; output: string } {
  try {
    const out = execFileSync(depcruise, ['src', '--config', '.dependency-cruiser.cjs'], { cwd, encoding: 'utf8', stdio: 'pipe' });
    return { code: 0, output: out };
  } catch (e) {
    const err = e as { status: number; stdout: string; stderr: string };
    return { code: err.status, output: `${err.stdout}${err.stderr}` };
  }
}

function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(join(scratch, 't-'));
  cpSync(join(root, '.dependency-cruiser.cjs'), join(dir, '.dependency-cruiser.cjs'));
  cpSync(join(root, 'tsconfig.json'), join(dir, 'tsconfig.json'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

const base = {
  'src/engine/index.ts': 'export const clock = 1;\n',
  'src/kernel/index.ts': "import { clock } from '../engine/index.js';\nexport const k = clock + 1;\n",
  'src/kernel/inner.ts': 'export const inner = 2;\n',
};

describe('layer check', () => {
  it('passes on the real source tree', () => {
    const r = cruise(root);
    expect(r.output).toContain('no dependency violations found');
    expect(r.code).toBe(0);
  });

  it('passes on a well-layered scratch tree', () => {
    expect(cruise(tree(base)).code).toBe(0);
  });

  it('fails when a lower layer imports a higher one', () => {
    const r = cruise(tree({ ...base, 'src/engine/bad.ts': "import { k } from '../kernel/index.js';\nexport const bad = k;\n" }));
    expect(r.code).not.toBe(0);
    expect(r.output).toContain('layer-engine');
  });

  it('fails when a module is entered past its index.ts', () => {
    const r = cruise(tree({ ...base, 'src/cnm/index.ts': "import { inner } from '../kernel/inner.js';\nexport const c = inner;\n" }));
    expect(r.code).not.toBe(0);
    expect(r.output).toContain('front-door-only');
  });

  it('fails on an import cycle', () => {
    const r = cruise(
      tree({
        ...base,
        'src/kernel/a.ts': "import { b } from './b.js';\nexport const a = () => b;\n",
        'src/kernel/b.ts': "import { a } from './a.js';\nexport const b = () => a;\n",
      }),
    );
    expect(r.code).not.toBe(0);
    expect(r.output).toContain('no-cycles');
  });
});
