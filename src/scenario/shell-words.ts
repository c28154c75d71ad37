/**
 * Splits the text of a `docker:` or `exec:` step into words the way a POSIX shell does.
 *
 * Models: POSIX.1-2017 Shell Command Language, section 2.2 (Quoting) and 2.3 (Token Recognition):
 *   - blanks (space, tab) and newlines separate words;
 *   - a backslash outside quotes keeps the next character literally; backslash-newline is a line
 *     continuation and vanishes;
 *   - single quotes keep everything literally up to the next single quote (no escapes inside);
 *   - double quotes keep everything literally except that a backslash escapes `$`, `` ` ``, `"`,
 *     `\` and newline (backslash-newline vanishes); before any other character the backslash stays;
 *   - quoted and unquoted parts next to each other form one word (`a'b'"c"` is `abc`), and `''` or
 *     `""` alone is an empty word.
 * `sh -c 'printf "<%s>" ...'` is the oracle. (Python's `shlex.split` is close but not exact: it
 * keeps the backslash of `\$` and `` \` `` in double quotes and does not join backslash-newline.)
 *
 * Leaves out, on purpose (design.md section 6): parameter, command and arithmetic expansion (`$X`,
 * `$(...)`, `` `...` ``), globbing, tilde expansion, `#` comments (YAML has already removed a
 * ` #` comment from a plain scalar), and operators: `|`, `;`, `&&`, `>` are ordinary characters
 * here and it is the simulated program that decides what they mean.
 * An unterminated quote, or a backslash with nothing after it, is an issue with its offset.
 */

/** Characters a backslash escapes inside double quotes (POSIX 2.2.3). */
const DOUBLE_QUOTE_ESCAPES = new Set(['$', '`', '"', '\\', '\n']);

/** Word separators outside quotes: the POSIX `<blank>` class and newline. */
const SEPARATORS = new Set([' ', '\t', '\n']);

export type SplitResult =
  | { readonly ok: true; readonly words: readonly string[] }
  | {
      readonly ok: false;
      /** What is wrong, e.g. `unterminated single quote`. */
      readonly message: string;
      /** What would have been right. */
      readonly expected: string;
      /** 0-based offset into the text of the character the issue is about (the opening quote). */
      readonly index: number;
    };

/** Splits `text` into words (no expansion of any kind); see the header for the rules. */
export function splitWords(text: string): SplitResult {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (SEPARATORS.has(c)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
      i += 1;
    } else if (c === '\\') {
      if (i + 1 >= text.length) {
        return {
          ok: false,
          message: 'a backslash at the end escapes nothing',
          expected: 'a character after the backslash, or \\\\ for a literal backslash',
          index: i,
        };
      }
      const next = text[i + 1]!;
      if (next !== '\n') {
        word += next;
        inWord = true;
      }
      i += 2;
    } else if (c === "'") {
      const close = text.indexOf("'", i + 1);
      if (close < 0) {
        return { ok: false, message: 'unterminated single quote', expected: "a closing '", index: i };
      }
      word += text.slice(i + 1, close);
      inWord = true;
      i = close + 1;
    } else if (c === '"') {
      const read = readDoubleQuoted(text, i);
      if (read === undefined) {
        return { ok: false, message: 'unterminated double quote', expected: 'a closing "', index: i };
      }
      word += read.value;
      inWord = true;
      i = read.end;
    } else {
      word += c;
      inWord = true;
      i += 1;
    }
  }
  if (inWord) words.push(word);
  return { ok: true, words };
}

/** Reads a double-quoted part starting at the quote at `open`; `end` is just past the closing quote. */
function readDoubleQuoted(text: string, open: number): { value: string; end: number } | undefined {
  let value = '';
  let i = open + 1;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '"') return { value, end: i + 1 };
    if (c === '\\' && i + 1 < text.length && DOUBLE_QUOTE_ESCAPES.has(text[i + 1]!)) {
      const escaped = text[i + 1]!;
      if (escaped !== '\n') value += escaped;
      i += 2;
    } else {
      value += c;
      i += 1;
    }
  }
  return undefined;
}

/** Quotes one word with single quotes so that `splitWords` gives it back unchanged. */
export function quoteWord(word: string): string {
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

/** Joins words into a command line that `splitWords` splits back into the same words. */
export function joinWords(words: readonly string[]): string {
  return words.map((w) => (/^[A-Za-z0-9_@%+=:,./-]+$/.test(w) ? w : quoteWord(w))).join(' ');
}
