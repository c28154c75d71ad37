// The committed JSON Schema is exactly what scripts/gen-schema.ts generates from the zod schemas,
// so editors never see a contract that has drifted from the loader's.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { scenarioJsonSchema } from '../../src/scenario/index.js';

const COMMITTED = 'schema/cnmsim-scenario.schema.json';

describe('schema/cnmsim-scenario.schema.json', () => {
  it('equals a freshly generated one (run: npx tsx scripts/gen-schema.ts)', () => {
    expect(readFileSync(COMMITTED, 'utf8')).toBe(scenarioJsonSchema());
  });

  it('describes the top-level keys, with only name required', () => {
    const schema = JSON.parse(scenarioJsonSchema()) as { properties: Record<string, unknown>; required: string[]; additionalProperties: boolean };
    expect(Object.keys(schema.properties)).toEqual(['name', 'description', 'seed', 'hosts', 'externals', 'steps', 'expect']);
    expect(schema.required).toEqual(['name']);
    expect(schema.additionalProperties).toBe(false);
  });

  it('has editor patterns that accept what the loader accepts', () => {
    const text = scenarioJsonSchema();
    const pattern = (key: string): RegExp => {
      const match = new RegExp(`"${key}": \\{[^}]*?"pattern": "((?:[^"\\\\]|\\\\.)*)"`).exec(text);
      if (match === null) throw new Error(`no pattern for ${key}`);
      return new RegExp(JSON.parse(`"${match[1]!}"`) as string);
    };
    for (const d of ['250ms', '2s', '1m', '1.5s', '2m30s', '100us', '10ns', '1h', '0']) expect(pattern('advance').test(d)).toBe(true);
    expect(pattern('advance').test('2 seconds')).toBe(false);
    for (const a of ['10.0.0.11/24', '192.0.2.2/24']) expect(pattern('address').test(a)).toBe(true);
    expect(pattern('gateway').test('10.0.0.1')).toBe(true);
  });
});
