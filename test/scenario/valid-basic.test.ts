// The design.md section 6 example loads as written, with defaults filled in, and its position index
// maps data paths back to the file.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_HOST, expectationKind, loadScenario, stepKind, type Scenario } from '../../src/scenario/index.js';

const FILE = 'test/fixtures/scenarios/valid-basic.yaml';

function load(text: string, file = 'x.yaml'): Extract<ReturnType<typeof loadScenario>, { ok: true }> {
  const result = loadScenario(text, file);
  if (!result.ok) throw new Error(result.issues.map((i) => `${i.line}:${i.column}: ${i.message}`).join('\n'));
  return result;
}

describe('valid-basic.yaml', () => {
  const { scenario, positions } = load(readFileSync(FILE, 'utf8'), FILE);

  it('loads the example of design.md section 6', () => {
    expect(scenario.name).toBe('User-defined bridge with DNS');
    expect(scenario.seed).toBe(7);
    expect(scenario.hosts.map((h) => h.name)).toEqual(['host1', 'host2']);
    expect(scenario.hosts[0]).toEqual({ name: 'host1', address: '10.0.0.11/24', gateway: '10.0.0.1', nameservers: ['10.0.0.53'] });
    expect(scenario.externals).toEqual([{ name: 'client', address: '10.0.0.100/24' }]);
    expect(scenario.steps.map(stepKind)).toEqual(['docker', 'docker', 'docker', 'docker', 'docker', 'docker', 'exec', 'advance']);
    expect(scenario.steps[2]).toEqual({ docker: 'network create --subnet 192.168.57.128/25 clash', exit: 1, contains: 'Pool overlaps' });
    expect(scenario.steps[6]).toEqual({ exec: 'ping -c 1 web', in: 'c1' });
    expect(scenario.expect.map(expectationKind)).toEqual(['reach', 'reach', 'reach', 'dns', 'exec', 'inspect', 'trace']);
  });

  it('fills in defaults of expectations', () => {
    expect(scenario.expect[0]).toEqual({ reach: { from: 'c1', to: 'web', port: 80, ok: true } });
    expect(scenario.expect[2]).toEqual({ reach: { from: 'c1', to: 'other', ok: false } });
    expect(scenario.expect[3]).toEqual({ dns: { in: 'c1', name: 'web', answers: ['192.168.57.3'], type: 'A' } });
  });

  it('maps paths to file:line:column', () => {
    expect(positions.where(['steps', 2])).toBe(`${FILE}:20:5`);
    expect(positions.where(['steps', 2, 'exit'])).toBe(`${FILE}:21:11`);
    expect(positions.where(['expect', 1, 'reach', 'to'])).toBe(`${FILE}:31:31`);
    expect(positions.keyAt(['steps', 6, 'in'])).toEqual({ line: 27, column: 5 });
    // A path the file does not spell out stops at its nearest ancestor.
    expect(positions.where(['expect', 0, 'reach', 'ok'])).toBe(`${FILE}:30:12`);
    expect(positions.has(['expect', 0, 'reach', 'ok'])).toBe(false);
  });
});

describe('defaults', () => {
  it('gives a file without hosts the one default host, and empty lists', () => {
    const { scenario } = load('name: minimal\n');
    const expected: Scenario = { name: 'minimal', seed: 1, hosts: [{ ...DEFAULT_HOST, nameservers: ['10.255.255.53'] }], externals: [], steps: [], expect: [] };
    expect(scenario).toEqual(expected);
  });

  it('lets steps and expectations use the default host by name', () => {
    load(['name: n', 'steps:', '  - exec: ip route', '    on: host1', 'expect:', '  - reach: {from: host1, to: "192.0.2.1"}'].join('\n'));
  });

  it('accepts aliases, flow style and comments', () => {
    const { scenario } = load(['name: n', 'steps:', '  - &ps {docker: ps}', '  - *ps', 'expect: []  # none'].join('\n'));
    expect(scenario.steps).toEqual([{ docker: 'ps' }, { docker: 'ps' }]);
  });
});
