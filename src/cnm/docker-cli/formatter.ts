/**
 * How the docker CLI lays out lists: `--format` handling (`table ...` with a header, or one
 * template line per row), Go's `text/tabwriter` column alignment, and the helpers its columns use.
 *
 * Models: docker/cli 20.10 `cli/command/formatter/formatter.go` (`Context.preFormat`: `table `
 * prefix, `\t` and `\n` escapes; `postFormat`: `tabwriter.NewWriter(out, 10, 1, 3, ' ', 0)`),
 * Go `text/tabwriter` (cells end at a tab, the last cell of a line is not aligned, a column's
 * width is its widest cell plus 3, at least 10, computed per block of consecutive lines that
 * have the column), `formatter.Ellipsis`, docker/go-units `HumanDuration`, and
 * fvbommel/sortorder `NaturalLess` (the order of `docker network ls`).
 * Leaves out: tabwriter flags other than docker's, escaped text segments.
 */
import { GoTemplate, type TemplateOptions } from './go-template-exec.js';
import type { JsonValue } from './go-json.js';

const MIN_WIDTH = 10;
const PADDING = 3;

const width = (s: string): number => [...s].length;

/** Go's tabwriter with docker's settings over `text`. */
export function tabwrite(text: string): string {
  const rawLines = text.split('\n');
  const trailingNewline = rawLines[rawLines.length - 1] === '';
  if (trailingNewline) rawLines.pop();
  const lines = rawLines.map(l => l.split('\t'));
  const widths: number[] = [];
  let out = '';
  const writeLines = (from: number, to: number): void => {
    for (let i = from; i < to; i++) {
      const cells = lines[i]!;
      cells.forEach((c, j) => {
        out += c;
        if (j < widths.length && j < cells.length - 1) out += ' '.repeat(Math.max(0, widths[j]! - width(c)));
      });
      if (i < lines.length - 1 || trailingNewline) out += '\n';
    }
  };
  const format = (line0: number, line1: number): void => {
    const column = widths.length;
    for (let cur = line0; cur < line1; cur++) {
      if (column >= lines[cur]!.length - 1) continue;
      writeLines(line0, cur);
      line0 = cur;
      let w = MIN_WIDTH;
      for (; cur < line1; cur++) {
        const cells = lines[cur]!;
        if (column >= cells.length - 1) break;
        w = Math.max(w, width(cells[column]!) + PADDING);
      }
      widths.push(w);
      format(line0, cur);
      widths.pop();
      line0 = cur;
      cur--;
    }
    writeLines(line0, line1);
  };
  // `format` consumes line ranges; run it once over everything.
  format(0, lines.length);
  return out;
}

/** A `--format` value as the formatter sees it. */
export interface ListFormat {
  readonly table: boolean;
  /** The template text after `table ` and escape replacement. */
  readonly template: string;
}

/** `Context.preFormat`. */
export function listFormat(format: string): ListFormat {
  const table = format.startsWith('table');
  let t = table ? format.slice('table'.length) : format;
  t = t.trim().replace(/\\t/g, '\t').replace(/\\n/g, '\n');
  return { table, template: t };
}

/**
 * Formats `rows` with `format` (one line per row); with a table format the header row is
 * `headers` put through the same template. Returns the output or the CLI's error text.
 */
export function formatList(format: string, rows: readonly JsonValue[], headers: JsonValue, options: TemplateOptions = {}): { ok: true; value: string } | { ok: false; error: string } {
  const f = listFormat(format);
  const tmpl = GoTemplate.parse(f.template);
  if (!tmpl.ok) return { ok: false, error: `Template parsing error: ${tmpl.error}` };
  let body = '';
  for (const row of rows) {
    const r = tmpl.value.execute(row, options);
    if (!r.ok) return { ok: false, error: `Template parsing error: ${r.error}\n` };
    body += `${r.value}\n`;
  }
  if (!f.table) return { ok: true, value: body };
  const head = tmpl.value.execute(headers);
  return { ok: true, value: tabwrite(`${head.ok ? head.value : ''}\n${body}`) };
}

/** `formatter.Ellipsis` for single-width text. */
export function ellipsis(s: string, max: number): string {
  const rs = [...s];
  if (max <= 0) return '';
  if (max === 1) return rs[0] ?? '';
  return rs.length <= max ? s : `${rs.slice(0, max - 1).join('')}…`;
}

/** go-units `HumanDuration` of `ns` nanoseconds. */
export function humanDuration(ns: number): string {
  const seconds = Math.floor(ns / 1e9);
  if (seconds < 1) return 'Less than a second';
  if (seconds === 1) return '1 second';
  if (seconds < 60) return `${seconds} seconds`;
  const minutes = Math.floor(ns / 6e10);
  if (minutes === 1) return 'About a minute';
  if (minutes < 60) return `${minutes} minutes`;
  const hours = Math.floor(ns / 3.6e12 + 0.5);
  if (hours === 1) return 'About an hour';
  if (hours < 48) return `${hours} hours`;
  if (hours < 24 * 7 * 2) return `${Math.floor(hours / 24)} days`;
  if (hours < 24 * 30 * 2) return `${Math.floor(hours / 24 / 7)} weeks`;
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24 / 30)} months`;
  return `${Math.floor(ns / 3.6e12 / 24 / 365)} years`;
}

const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';

/** sortorder `NaturalLess`: digit runs compare as numbers (`n2` before `n10`). */
export function naturalLess(a: string, b: string): boolean {
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const c1 = a[i]!;
    const c2 = b[j]!;
    const d1 = isDigit(c1);
    const d2 = isDigit(c2);
    if (d1 !== d2) return d1;
    if (!d1) {
      if (c1 !== c2) return c1 < c2;
      i++;
      j++;
      continue;
    }
    while (i < a.length && a[i] === '0') i++;
    while (j < b.length && b[j] === '0') j++;
    const nz1 = i;
    const nz2 = j;
    while (isDigit(a[i])) i++;
    while (isDigit(b[j])) j++;
    if (i - nz1 !== j - nz2) return i - nz1 < j - nz2;
    const n1 = a.slice(nz1, i);
    const n2 = b.slice(nz2, j);
    if (n1 !== n2) return n1 < n2;
    if (nz1 !== nz2) return nz1 < nz2;
  }
  return a.length < b.length;
}

/** A comparator from `naturalLess`. */
export function naturalCompare(a: string, b: string): number {
  return naturalLess(a, b) ? -1 : naturalLess(b, a) ? 1 : 0;
}
