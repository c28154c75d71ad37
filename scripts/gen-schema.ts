/**
 * Writes schema/cnmsim-scenario.schema.json, the JSON Schema of the scenario file, generated from
 * the zod schemas in src/scenario/schema.ts with `z.toJSONSchema` (draft-07, the input side: keys
 * with defaults are optional). Editors with the YAML language server use it through the first line
 * of a scenario: `# yaml-language-server: $schema=../schema/cnmsim-scenario.schema.json`.
 *
 * Run: npx tsx scripts/gen-schema.ts
 * test/scenario/json-schema.test.ts fails when the committed file differs from a fresh one.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { scenarioJsonSchema } from '../src/scenario/index.js';

const target = fileURLToPath(new URL('../schema/cnmsim-scenario.schema.json', import.meta.url));
mkdirSync(dirname(target), { recursive: true });
writeFileSync(target, scenarioJsonSchema());
console.log(`wrote ${target}`);
