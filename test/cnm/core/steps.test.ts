// The declared step lists (style.md "Multi-step configuration is a declared list of steps"):
// apply in order, record each, undo the applied ones newest first on the first failure.
import { describe, expect, it } from 'vitest';
import { err, ok, runSteps, StepJournal, warn, when, type Step } from '../../../src/cnm/index.js';

function step(name: string, log: string[], fail = false): Step {
  return {
    name,
    apply: () => {
      log.push(`apply ${name}`);
      return fail ? err('system', `${name} broke`) : ok(undefined);
    },
    undo: () => void log.push(`undo ${name}`),
  };
}

describe('runSteps', () => {
  it('undoes the applied steps newest first and returns the failure', () => {
    const log: string[] = [];
    const journal = new StepJournal(() => 5);
    const r = runSteps(journal, 'op', [step('a', log), when(false, step('skipped', log)), step('b', log), step('c', log, true), step('d', log)]);
    expect(r).toEqual({ ok: false, error: { kind: 'system', message: 'c broke' } });
    expect(log).toEqual(['apply a', 'apply b', 'apply c', 'undo b', 'undo a']);
    expect(journal.of('op').map(x => `${x.step} ${x.outcome}${x.message === undefined ? '' : ` ${x.message}`}`)).toEqual([
      'a applied',
      'b applied',
      'c failed c broke',
      'b undone',
      'a undone',
    ]);
    expect(journal.records()[0]!.at).toBe(5);
  });

  it('lets warned steps fail without stopping the list', () => {
    const log: string[] = [];
    const journal = new StepJournal(() => 0);
    const r = runSteps(journal, 'leave', [warn(journal, 'leave', 'driver leave', () => err('system', 'gone')), step('after', log)]);
    expect(r.ok).toBe(true);
    expect(log).toEqual(['apply after']);
    expect(journal.records().map(x => `${x.step} ${x.outcome}`)).toEqual(['driver leave warned', 'driver leave applied', 'after applied']);
  });
});
