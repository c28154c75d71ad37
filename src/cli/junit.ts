/**
 * JUnit XML for `cnmsim check --junit PATH`: one `<testsuite>` per scenario file, one
 * `<testcase>` per expectation (inline step checks included), a failed expectation as
 * `<failure>` with the relevant part of the trace as its text; an invalid file as one
 * `<testcase>` with an `<error>` listing every issue; with `--twice`, a `determinism` test case.
 *
 * Models: the de-facto JUnit schema CI systems read (Jenkins' junit plugin, GitLab, GitHub
 * actions' test reporters): `testsuites > testsuite[name, tests, failures, errors] > testcase
 * [classname, name] > failure[message] | error[message]`.
 * Leaves out: `time` and `timestamp` attributes (the output is deterministic).
 */

export interface JunitCase {
  readonly name: string;
  readonly failure?: { readonly message: string; readonly text: string };
  readonly error?: { readonly message: string; readonly text: string };
}

export interface JunitSuite {
  readonly name: string;
  readonly file: string;
  readonly cases: readonly JunitCase[];
}

/** XML 1.0 text: markup characters escaped, characters XML cannot carry dropped. */
export function xmlEscape(s: string): string {
  return s
    .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

export function junitXml(suites: readonly JunitSuite[]): string {
  const count = (pick: (c: JunitCase) => boolean, cases: readonly JunitCase[]): number => cases.filter(pick).length;
  const all = suites.flatMap((s) => s.cases);
  const out = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="cnmsim" tests="${all.length}" failures="${count((c) => c.failure !== undefined, all)}" errors="${count((c) => c.error !== undefined, all)}">`,
  ];
  for (const s of suites) {
    out.push(
      `  <testsuite name="${xmlEscape(s.name)}" file="${xmlEscape(s.file)}" tests="${s.cases.length}" failures="${count((c) => c.failure !== undefined, s.cases)}" errors="${count((c) => c.error !== undefined, s.cases)}">`,
    );
    for (const c of s.cases) {
      const open = `    <testcase classname="${xmlEscape(s.file)}" name="${xmlEscape(c.name)}"`;
      const problem = c.failure !== undefined ? ['failure', c.failure] as const : c.error !== undefined ? ['error', c.error] as const : undefined;
      if (problem === undefined) {
        out.push(`${open}/>`);
        continue;
      }
      const [tag, p] = problem;
      out.push(`${open}>`, `      <${tag} message="${xmlEscape(p.message)}">${xmlEscape(p.text)}</${tag}>`, '    </testcase>');
    }
    out.push('  </testsuite>');
  }
  out.push('</testsuites>');
  return `${out.join('\n')}\n`;
}
