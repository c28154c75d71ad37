// Every bundled scenario (scenarios/*.yaml) is a lesson that must hold: it loads without issues,
// tells a learner what it builds, and every expectation (inline step checks included) holds.
// Each file is run twice: both runs must have the same digest and byte-identical JSON reports
// (the `cnmsim run --json` output), so what a learner sees never depends on the run.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { jsonReport } from '../../src/cli/run.js';
import { loadScenario, type Scenario } from '../../src/scenario/index.js';
import { runScenario } from '../../src/scenario/run.js';
import { defaultServices } from '../../src/scenario/services.js';

const DIR = join(import.meta.dirname, '../../scenarios');
const FILES = readdirSync(DIR)
  .filter((f) => f.endsWith('.yaml'))
  .sort();

/** The scenarios the project promises (the rest may grow). */
const REQUIRED = [
  'linux-namespaces-veth',
  'linux-bridge-learning',
  'linux-router',
  'iptables-basics',
  'default-bridge',
  'user-bridge-dns',
  'two-networks-isolation',
  'port-publishing',
  'egress-masquerade',
  'internal-and-icc',
  'host-and-none',
  'macvlan-vlans',
  'plumbed-to-underlay',
  'docker-pets',
  'flagship',
];

function load(file: string): { text: string; scenario: Scenario } {
  const path = join(DIR, file);
  const text = readFileSync(path, 'utf8');
  const loaded = loadScenario(text, path);
  if (!loaded.ok) throw new Error(loaded.issues.map((i) => `${i.file}:${i.line}:${i.column}: ${i.message}`).join('\n'));
  return { text, scenario: loaded.scenario };
}

function jsonBytes(scenario: Scenario): { bytes: string; digest: string; failed: string[] } {
  const { report } = runScenario(scenario, { services: defaultServices });
  return {
    bytes: `${JSON.stringify(jsonReport(report), null, 2)}\n`,
    digest: report.digest,
    failed: report.expectations.filter((e) => !e.ok).map((e) => `${e.message}${e.detail === undefined ? '' : `\n${e.detail}`}`),
  };
}

describe('bundled scenarios', () => {
  it('include every scenario the project promises', () => {
    expect(FILES.map((f) => f.replace(/\.yaml$/u, ''))).toEqual(expect.arrayContaining(REQUIRED));
  });

  for (const file of FILES) {
    describe(file, () => {
      it('loads, points editors at the schema, and describes itself for a learner', () => {
        const { text, scenario } = load(file);
        expect(text.split('\n')[0]).toBe('# yaml-language-server: $schema=../schema/cnmsim-scenario.schema.json');
        expect(scenario.name.length).toBeGreaterThan(0);
        const sentences = (scenario.description ?? '').split(/[.!?](?:\s|$)/u).filter((s) => s.trim().length > 0);
        expect(sentences.length).toBeGreaterThanOrEqual(3);
        expect(scenario.steps.length).toBeGreaterThan(0);
        expect(scenario.expect.length).toBeGreaterThan(0);
      });

      it('holds every expectation, twice, with the same digest and the same JSON report bytes', () => {
        const { scenario } = load(file);
        const first = jsonBytes(scenario);
        expect(first.failed).toEqual([]);
        const second = jsonBytes(scenario);
        expect(second.failed).toEqual([]);
        expect(second.digest).toBe(first.digest);
        expect(second.bytes).toBe(first.bytes);
      });
    });
  }
});
