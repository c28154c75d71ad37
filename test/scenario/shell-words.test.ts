// POSIX word splitting of docker:/exec: command lines: quoting rules case by case (checked against
// dash and bash: sh -c 'printf "<%s>" ...'), issues with their offsets, and round trips.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { joinWords, quoteWord, splitWords } from '../../src/scenario/index.js';

function words(text: string): readonly string[] {
  const result = splitWords(text);
  if (!result.ok) throw new Error(`unexpected issue: ${result.message} at ${result.index}`);
  return result.words;
}

describe('splitWords', () => {
  it.each([
    ['network create --subnet 192.168.57.0/24 brnet', ['network', 'create', '--subnet', '192.168.57.0/24', 'brnet']],
    ['  a \t b\nc  ', ['a', 'b', 'c']],
    ['', []],
    ['   ', []],
    ["sh -c 'echo $HOME; ls *'", ['sh', '-c', 'echo $HOME; ls *']],
    ['echo "a b" c', ['echo', 'a b', 'c']],
    ["a'b'\"c\"d", ['abcd']],
    ["''", ['']],
    ['"" x', ['', 'x']],
    ["a '' b", ['a', '', 'b']],
    ['echo "\\$X \\` \\" \\\\"', ['echo', '$X ` " \\']],
    ['echo "\\n\\t"', ['echo', '\\n\\t']],
    ['echo a\\ b', ['echo', 'a b']],
    ['echo \\"q\\"', ['echo', '"q"']],
    ["echo 'it'\\''s'", ['echo', "it's"]],
    ["echo '\\n'", ['echo', '\\n']],
    ['a\\\nb', ['ab']],
    ['"a\\\nb"', ['ab']],
    ['a \\\n b', ['a', 'b']],
    ['echo $(hostname) `id` ~ *.txt', ['echo', '$(hostname)', '`id`', '~', '*.txt']],
    ['ping -c 1 web | head; ls && x > f', ['ping', '-c', '1', 'web', '|', 'head;', 'ls', '&&', 'x', '>', 'f']],
  ])('%j', (text, expected) => {
    expect(words(text)).toEqual(expected);
  });

  it.each([
    ["echo 'abc", 'unterminated single quote', 5],
    ['echo "abc', 'unterminated double quote', 5],
    ['a "b\\" c', 'unterminated double quote', 2],
    ["a 'b' \"c'", 'unterminated double quote', 6],
    ['echo a\\', 'a backslash at the end escapes nothing', 6],
  ])('%j is an issue', (text, message, index) => {
    const result = splitWords(text);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.message).toBe(message);
      expect(result.index).toBe(index);
    }
  });
});

describe('round trips', () => {
  const word = fc.string({ unit: fc.constantFrom('a', 'Z', '0', ' ', '\t', '\n', "'", '"', '\\', '$', '`', '*', '|', 'é') });
  const anyWord = fc.oneof(word, fc.string({ unit: 'grapheme' }));

  it('single-quoting every word, joined by spaces, splits back into the same words', () => {
    fc.assert(
      fc.property(fc.array(anyWord, { maxLength: 8 }), (list) => {
        expect(words(list.map(quoteWord).join(' '))).toEqual(list);
      }),
    );
  });

  it('joinWords (quoting only where needed) splits back into the same words', () => {
    fc.assert(
      fc.property(fc.array(anyWord, { maxLength: 8 }), (list) => {
        expect(words(joinWords(list))).toEqual(list);
      }),
    );
  });

  it('double-quoting with backslash escapes splits back into the same word', () => {
    fc.assert(
      fc.property(word, (w) => {
        expect(words(`"${w.replace(/[$`"\\]/g, '\\$&')}"`)).toEqual([w]);
      }),
    );
  });

  it('never throws, and an issue points inside the text', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('a', ' ', "'", '"', '\\', '\n') }), (text) => {
        const result = splitWords(text);
        if (!result.ok) expect(result.index).toBeGreaterThanOrEqual(0);
        if (!result.ok) expect(result.index).toBeLessThan(text.length);
      }),
    );
  });
});
