/**
 * Loads a scenario file: YAML text in, a validated `Scenario` with a position index out, or every
 * issue in the file at once, each with file:line:column (design.md section 6, last rule).
 *
 *   text ─ parseDocument ─> YAML AST ─ toJS ─> data ─┬─ ScenarioSchema.safeParse ─> zod issues ─┐
 *     │                        │                      └─ crossCheck (names, relations) ─────────┤
 *     │ syntax errors          └─ PositionIndex (path -> line:column) ──────────────────────────┤
 *     └─────────────────────────────────────> all issues, positioned, sorted by line, column <──┘
 *
 * Models: npm-ecosystem.md section 2e (yaml 2.9 reports all syntax errors with machine codes, and
 * recovers a document from most of them; validation then runs on what it recovered).
 *
 * Leaves out: building the world and running steps (that is the runner's job, given the scenario
 * and the position index for its own messages). An issue from validation on the same line as a
 * YAML syntax error, or inside a flow collection a syntax error left open, is dropped: it is almost
 * always the same mistake seen a second time.
 * Never throws: anything the YAML library throws becomes an issue too.
 */
import { isCollection, LineCounter, parseDocument, visit, type Document, type YAMLError } from 'yaml';
import { crossCheck } from './cross-checks.js';
import type { PendingIssue, ScenarioIssue } from './issues.js';
import { PositionIndex, type SourcePosition } from './positions.js';
import { ScenarioSchema, type Scenario } from './schema.js';
import { translateZodIssues } from './zod-issues.js';

export type LoadResult =
  | { readonly ok: true; readonly scenario: Scenario; readonly positions: PositionIndex }
  | { readonly ok: false; readonly issues: readonly ScenarioIssue[] };

/** The most alias expansions accepted (yaml's default), so a "billion laughs" file stays small. */
const MAX_ALIAS_COUNT = 100;

/** Parses and validates `text`, read from `file` (the name is only used in issues). */
export function loadScenario(text: string, file: string): LoadResult {
  const lines = new LineCounter();
  let doc;
  try {
    doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true, logLevel: 'error' });
  } catch (e) {
    return { ok: false, issues: [{ file, line: 1, column: 1, path: [], message: `cannot read the file as YAML: ${errorText(e)}` }] };
  }
  const positions = new PositionIndex(file, text, doc, lines);
  const syntax = [...doc.errors, ...doc.warnings].map((error) => yamlIssue(error, text, positions));

  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (e) {
    // Too many aliases: there is no data to validate, so this is the only issue.
    const message = `cannot read the file as YAML: ${errorText(e)}`;
    return { ok: false, issues: sortIssues([...syntax, { file, line: 1, column: 1, path: [], message }]) };
  }
  const parsed = ScenarioSchema.safeParse(data);
  const pending = [...(parsed.success ? [] : translateZodIssues(parsed.error.issues, data, positions)), ...crossCheck(data, positions)];

  const syntaxLines = taintedLines(doc, positions);
  const checked = pending.map((issue) => place(issue, positions)).filter((issue) => !syntaxLines.has(issue.line));
  const issues = sortIssues(dedupe([...syntax, ...checked]));
  if (!parsed.success && issues.length === 0) {
    // Only reachable through a gap in translateZodIssues: still refuse the file, in zod's words.
    for (const issue of parsed.error.issues) {
      const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
      issues.push({ file, ...positions.at(path), path, message: issue.message });
    }
  }
  if (issues.length > 0 || !parsed.success) return { ok: false, issues };
  return { ok: true, scenario: parsed.data, positions };
}

/**
 * Lines where validation issues would only repeat a syntax error: the line of each error, and every
 * line of a flow collection (`[...]`, `{...}`) that an error leaves unterminated, since what the
 * parser recovered from it is a guess.
 */
function taintedLines(doc: Document, positions: PositionIndex): Set<number> {
  const lines = new Set<number>();
  for (const error of [...doc.errors, ...doc.warnings]) {
    const at = error.pos[0];
    const errorLine = positions.ofOffset(at).line;
    lines.add(errorLine);
    visit(doc, (_key, node) => {
      if (!isCollection(node) || !node.flow || !node.range) return;
      if (node.range[0] > at || node.range[2] < at) return;
      for (let line = positions.ofOffset(node.range[0]).line; line <= errorLine; line += 1) lines.add(line);
    });
  }
  return lines;
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** A YAML syntax error or warning as an issue; a duplicate key names the key. */
function yamlIssue(error: YAMLError, text: string, positions: PositionIndex): ScenarioIssue {
  const { line, column } = positions.ofOffset(error.pos[0]);
  let message = `YAML syntax: ${error.message}`;
  if (error.code === 'DUPLICATE_KEY') {
    const key = /^[^:\s]+/.exec(text.slice(error.pos[0]))?.[0] ?? '';
    message = `duplicate key "${key}"; expected each key once per mapping`;
  }
  return { file: positions.file, line, column, path: [], message };
}

function place(issue: PendingIssue, positions: PositionIndex): ScenarioIssue {
  const anchor = issue.anchor ?? 'value';
  let at: SourcePosition;
  if (anchor === 'key') at = positions.keyAt(issue.path);
  else if (anchor === 'parent') at = positions.at(issue.path.slice(0, -1));
  else if (anchor === 'value') at = positions.at(issue.path);
  else at = positions.inString(issue.path, anchor.offset);
  return {
    file: positions.file,
    line: at.line,
    column: at.column,
    path: issue.path,
    message: issue.message,
    ...(issue.expected === undefined ? {} : { expected: issue.expected }),
    ...(issue.found === undefined ? {} : { found: issue.found }),
  };
}

function dedupe(issues: readonly ScenarioIssue[]): ScenarioIssue[] {
  const seen = new Set<string>();
  return issues.filter((issue) => {
    const key = `${issue.line}:${issue.column}:${issue.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** By line, then column; issues at the same place keep the order they were found in. */
function sortIssues(issues: ScenarioIssue[]): ScenarioIssue[] {
  return issues
    .map((issue, order) => ({ issue, order }))
    .sort((a, b) => a.issue.line - b.issue.line || a.issue.column - b.issue.column || a.order - b.order)
    .map(({ issue }) => issue);
}
