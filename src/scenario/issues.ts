/**
 * Issues found in a scenario file, and the words they are written with.
 *
 * Models: the `file:line:col: message` form of compilers and linters (gcc, tsc --pretty false,
 * eslint's unix formatter), which editors and terminals turn into links; zod's practice of
 * collecting every issue with its path instead of stopping at the first (style.md, "Two kinds of
 * error"). Suggestions for misspelt names use an edit distance (Levenshtein plus swaps of two
 * neighbouring letters), as git and cargo do for unknown subcommands.
 *
 * Leaves out: severities (every issue makes the file invalid; there are no warnings) and code
 * frames (the CLI may print the source line under an issue; the loader only gives positions).
 * Invariant: `line` and `column` are 1-based; column counts UTF-16 code units as the yaml library's
 * LineCounter does.
 */

/** A path into the scenario data, as zod and yaml's `getIn` use it: keys and list indexes. */
export type IssuePath = readonly (string | number)[];

export interface ScenarioIssue {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly path: IssuePath;
  /** One sentence that says what was expected and what was found. */
  readonly message: string;
  readonly expected?: string;
  readonly found?: string;
}

/** `file:line:col: message`, one line. */
export function formatIssue(issue: ScenarioIssue): string {
  return `${issue.file}:${issue.line}:${issue.column}: ${issue.message}`;
}

/** The trailing part of a path that names the field, e.g. `answers[2]` or `hosts[1]`. */
export function fieldLabel(path: IssuePath): string {
  let label = '';
  for (let i = path.length - 1; i >= 0; i -= 1) {
    const segment = path[i]!;
    if (typeof segment === 'number') {
      label = `[${segment}]${label}`;
    } else {
      return `${segment}${label}`;
    }
  }
  return label === '' ? 'the file' : label;
}

const MAX_SHOWN = 60;

/** How a value read from YAML is shown after "found": its source text when known, else a description. */
export function describeFound(value: unknown, source?: string): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'an empty value';
  if (typeof value === 'string') return `"${truncate(value)}"`;
  if (Array.isArray(value)) return value.length === 0 ? 'an empty list' : 'a list';
  if (typeof value === 'object') return 'a mapping';
  const shown = source !== undefined && source !== '' ? source : String(value);
  if (typeof value === 'number') return `the number ${truncate(shown)}`;
  if (typeof value === 'boolean') return `the boolean ${truncate(shown)}`;
  return truncate(shown);
}

function truncate(text: string): string {
  const oneLine = text.replaceAll('\n', '\\n');
  return oneLine.length <= MAX_SHOWN ? oneLine : `${oneLine.slice(0, MAX_SHOWN - 3)}...`;
}

/**
 * Levenshtein distance with adjacent transpositions (the "optimal string alignment" variant of
 * Damerau-Levenshtein): insertions, deletions, substitutions and swaps of two neighbours each cost
 * 1, so `netwroks` is one edit from `networks`.
 */
export function editDistance(a: string, b: string): number {
  const rows: number[][] = [Array.from({ length: b.length + 1 }, (_, j) => j)];
  for (let i = 1; i <= a.length; i += 1) {
    const row = [i];
    for (let j = 1; j <= b.length; j += 1) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(rows[i - 1]![j]! + 1, row[j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, rows[i - 2]![j - 2]! + 1);
      row.push(best);
    }
    rows.push(row);
  }
  return rows[a.length]![b.length]!;
}

/**
 * The candidate closest to `word`, when it is close enough to be a likely misspelling: 1 edit
 * for words of up to 3 characters (2 would match almost anything), else 2 edits or a third of the
 * word's length, whichever is more. Ties go to the earlier candidate, so the answer is
 * deterministic.
 */
export function closestName(word: string, candidates: Iterable<string>): string | undefined {
  const limit = word.length <= 3 ? 1 : Math.max(2, Math.floor(word.length / 3));
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    const distance = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return bestDistance <= limit && best !== word ? best : undefined;
}

/** `; did you mean "x"?` or the empty string. */
export function didYouMean(word: string, candidates: Iterable<string>): string {
  const closest = closestName(word, candidates);
  return closest === undefined ? '' : `; did you mean "${closest}"?`;
}

/** `a, b or c` */
export function listWords(words: readonly string[], quote = ''): string {
  const quoted = words.map((w) => `${quote}${w}${quote}`);
  if (quoted.length <= 1) return quoted.join('');
  return `${quoted.slice(0, -1).join(', ')} or ${quoted[quoted.length - 1]!}`;
}

/** An issue before it has a position: where it points is resolved against the YAML source later. */
export interface PendingIssue {
  readonly path: IssuePath;
  readonly message: string;
  readonly expected?: string;
  readonly found?: string;
  /**
   * What in the source the issue points at: the value at `path` (default), the key of its last
   * segment (unknown keys), the mapping that lacks it (missing keys), or a character offset inside
   * the string value (a quote in a command line).
   */
  readonly anchor?: 'value' | 'key' | 'parent' | { readonly offset: number };
}
