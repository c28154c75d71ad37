/**
 * The determinism guard of design.md section 3: lint refuses wall-clock time and ambient
 * randomness under src/ (outside the CLI). This test lints planted code through the project's
 * own ESLint configuration and expects every banned use to be reported.
 */
import { ESLint } from 'eslint';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');

async function ruleIds(code: string, file: string): Promise<string[]> {
  // The planted file does not exist on disk, so type-aware parsing and the rules that need it are
  // switched off; the determinism rules under test are the project's own, unchanged.
  const eslint = new ESLint({
    cwd: root,
    overrideConfig: {
      languageOptions: { parserOptions: { projectService: false } },
      rules: {
        '@typescript-eslint/no-floating-promises': 'off',
        '@typescript-eslint/switch-exhaustiveness-check': 'off',
        '@typescript-eslint/no-for-in-array': 'off',
      },
    },
  });
  const [result] = await eslint.lintText(code, { filePath: resolve(root, file) });
  return (result?.messages ?? []).map((m) => `${m.ruleId ?? 'fatal'}: ${m.message}`);
}

const planted = [
  'export const a = Math.random();',
  'export const b = Date.now();',
  'export const c = new Date();',
  'export const d = performance.now();',
  'setTimeout(() => undefined, 1);',
  'setInterval(() => undefined, 1);',
  'export const e = process.hrtime();',
];

describe('determinism lint', () => {
  it.each(planted)('rejects %s under src/', async (line) => {
    const ids = await ruleIds(`${line}\n`, 'src/kernel/planted.ts');
    expect(ids.filter((m) => m.startsWith('no-restricted'))).not.toHaveLength(0);
  });

  it('accepts engine time', async () => {
    const ids = await ruleIds('export const now = (e: { now: number }) => e.now;\n', 'src/kernel/planted.ts');
    expect(ids.filter((m) => m.startsWith('no-restricted'))).toEqual([]);
  });
});
