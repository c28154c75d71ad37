// The deliberately broken fixture: ten different mistakes, each marked "# N:" on its line, must all
// be reported in one go, once each, at the right line and column.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { formatIssue, loadScenario } from '../../src/scenario/index.js';

const FILE = 'test/fixtures/scenarios/ten-mistakes.yaml';
const text = readFileSync(FILE, 'utf8');
const lines = text.split('\n');

/** Mistake number, the text the issue must point at on that line, and how its message starts. */
const MISTAKES: readonly [number, string, string][] = [
  [1, 'description', 'missing required key "name"; expected a string'],
  [2, 'seven', 'seed: expected a whole number of at least 0; found "seven"'],
  [3, '10.0.0.300/24', 'address: expected an IPv4 address with a prefix length, like 10.0.0.11/24; found "10.0.0.300/24"'],
  [4, 'host1', 'duplicate name "host1": hosts[0] on line 7 already has it'],
  [5, 'hots2', 'on: unknown name "hots2"; expected a host: host1; did you mean "host1"?'],
  [6, '2 seconds', 'advance: expected a duration like 250ms, 2s, 1m (units ns, us, ms, s, m, h); found "2 seconds"'],
  [7, 'inn', 'unknown key "inn"; did you mean "in"?'],
  [8, 'c9', 'to: unknown name "c9"; expected a container or host: c1, host1; did you mean "c1"?'],
  [9, 'maybe', 'verdict: expected one of delivered or dropped; found "maybe"'],
  [10, '"inet', 'matches: expected a regular expression (JavaScript syntax); found "inet ([0-9"'],
];

function where(n: number, needle: string): string {
  const index = lines.findIndex((line) => line.includes(`# ${n}:`));
  const column = lines[index]!.indexOf(needle);
  if (index < 0 || column < 0) throw new Error(`mistake ${n} is not marked in ${FILE}`);
  return `${FILE}:${index + 1}:${column + 1}`;
}

describe('ten-mistakes.yaml', () => {
  const result = loadScenario(text, FILE);
  const issues = result.ok ? [] : result.issues;

  it('is rejected with exactly ten issues', () => {
    expect(result.ok).toBe(false);
    expect(issues.map(formatIssue)).toHaveLength(10);
  });

  it.each(MISTAKES)('reports mistake %d at its place', (n, needle, message) => {
    const issue = issues[n - 1];
    expect(issue).toBeDefined();
    expect(formatIssue(issue!).startsWith(`${where(n, needle)}: ${message}`)).toBe(true);
  });

  it('gives each issue a path, and what was expected and found', () => {
    for (const issue of issues) {
      expect(issue.path.length).toBeGreaterThan(0);
      expect(issue.expected).toBeTruthy();
      expect(issue.found).toBeTruthy();
    }
    expect(issues[2]!.path).toEqual(['hosts', 0, 'address']);
    expect(issues[6]!.path).toEqual(['steps', 3, 'inn']);
  });
});
