/**
 * The run report: what each step printed and whether each expectation held, as the JSON of
 * design.md section 7 (`{scenario, seed, digest, steps, expectations}`) and as a transcript a
 * person reads like a terminal session.
 *
 * Models: a shell transcript (`$ command`, output, exit status), as the reference captures in
 * shared/reference/docker-20.10 are written.
 * Leaves out: colours (the CLI adds them on a terminal).
 */

export interface StepReport {
  readonly index: number;
  readonly kind: 'docker' | 'exec' | 'advance';
  /** Where it ran: `host1`, `c1` (a container), `client` (an external). */
  readonly target: string;
  readonly command: string;
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface ExpectationReport {
  readonly index: number;
  readonly kind: string;
  readonly ok: boolean;
  readonly message: string;
  /** The relevant part of the trace, for a failed expectation. */
  readonly detail?: string;
}

export interface RunReport {
  readonly scenario: string;
  readonly seed: number | string;
  readonly digest: string;
  readonly steps: readonly StepReport[];
  readonly expectations: readonly ExpectationReport[];
}

export function reportOk(report: RunReport): boolean {
  return report.expectations.every((e) => e.ok);
}

/** The session transcript: every step with its output, then the expectations. */
export function transcript(report: RunReport): string {
  const lines: string[] = [`# ${report.scenario} (seed ${String(report.seed)})`, ''];
  for (const step of report.steps) {
    if (step.kind === 'advance') {
      lines.push(`# advance ${step.command}`, '');
      continue;
    }
    const prompt = step.kind === 'docker' ? `${step.target}$ docker ${step.command}` : `${step.target}$ ${step.command}`;
    lines.push(prompt);
    const out = `${step.stdout}${step.stderr}`;
    if (out.length > 0) lines.push(out.endsWith('\n') ? out.slice(0, -1) : out);
    if (step.exitCode !== 0) lines.push(`[exit ${step.exitCode}]`);
    lines.push('');
  }
  if (report.expectations.length > 0) {
    lines.push('Expectations:');
    for (const e of report.expectations) {
      lines.push(`  ${e.ok ? 'ok  ' : 'FAIL'} ${e.message}`);
      if (!e.ok && e.detail !== undefined) for (const d of e.detail.split('\n')) lines.push(`       ${d}`);
    }
    const failed = report.expectations.filter((e) => !e.ok).length;
    lines.push('', `${report.expectations.length - failed} passed, ${failed} failed`);
  }
  lines.push(`digest ${report.digest}`);
  return `${lines.join('\n')}\n`;
}
