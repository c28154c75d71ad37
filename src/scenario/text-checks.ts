/**
 * The three text comparisons of the scenario contract (design.md section 6): `contains`,
 * `matches` (a regular expression, `^`/`$` at each line), `equals` (exact after trimming
 * trailing white space), and an exit code. Each failed check says what was expected and what
 * was found.
 * Leaves out: nothing.
 */
import { compileMatcher } from './formats.js';

export interface TextChecks {
  readonly exit?: number | undefined;
  readonly contains?: string | undefined;
  readonly matches?: string | undefined;
  readonly equals?: string | undefined;
}

export function hasChecks(c: TextChecks): boolean {
  return c.exit !== undefined || c.contains !== undefined || c.matches !== undefined || c.equals !== undefined;
}

/** The first failed check, in words; undefined when every given check holds. */
export function failedCheck(c: TextChecks, output: string, exitCode: number): string | undefined {
  if (c.exit !== undefined && exitCode !== c.exit) return `expected exit code ${c.exit}, got ${exitCode}`;
  if (c.contains !== undefined && !output.includes(c.contains)) return `expected the output to contain ${JSON.stringify(c.contains)}`;
  if (c.matches !== undefined) {
    const re = compileMatcher(c.matches);
    if (re instanceof RegExp && !re.test(output)) return `expected the output to match /${c.matches}/`;
  }
  if (c.equals !== undefined && trimEnd(output) !== trimEnd(c.equals)) return `expected the output to equal ${JSON.stringify(trimEnd(c.equals))}`;
  return undefined;
}

function trimEnd(text: string): string {
  return text.replace(/\s+$/u, '');
}
