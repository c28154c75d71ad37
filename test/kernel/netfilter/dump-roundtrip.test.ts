import { describe, expect, it } from 'vitest';
import { formatRule, parseRuleLine, Ruleset, runIptablesRestore, runIptablesSave, splitWords } from '../../../src/kernel/netfilter/index.js';
import { saveBlocks, withoutComments } from './reference-dumps.js';

const blocks = saveBlocks();

describe('reference iptables-save dumps', () => {
  it('finds the captures', () => {
    expect(blocks.length).toBeGreaterThan(30);
  });

  for (const b of blocks) {
    describe(`${b.file}: ${b.command}`, () => {
      it('parses and prints every rule line back unchanged', () => {
        let table = 'filter';
        for (const line of b.output.split('\n')) {
          const bare = line.replace(/^\[\d+:\d+\] /, '');
          if (bare.startsWith('*')) table = bare.slice(1);
          if (!bare.startsWith('-A ')) continue;
          const parsed = parseRuleLine(splitWords(bare), table);
          if (!parsed.ok) throw new Error(`${bare}: ${JSON.stringify(parsed.failure)}`);
          expect(formatRule(parsed.chain, parsed.rule)).toBe(bare);
          const again = parseRuleLine(splitWords(formatRule(parsed.chain, parsed.rule)), table);
          expect(again.ok && again.rule).toEqual(parsed.rule);
        }
      });

      it('restores and saves back the same text', () => {
        const counters = b.command.includes(' -c');
        const rs = new Ruleset();
        const restored = runIptablesRestore(rs, b.output, counters ? ['-c'] : []);
        expect(restored).toEqual({ exitCode: 0, stdout: '', stderr: '' });
        const saved = runIptablesSave(rs, counters ? ['-c'] : [], { date: 'Sun Nov 22 13:37:49 2026' });
        expect(saved.exitCode).toBe(0);
        expect(withoutComments(saved.stdout)).toBe(withoutComments(b.output));
      });
    });
  }
});
