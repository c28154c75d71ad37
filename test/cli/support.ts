// Running the cnmsim command line in-process for tests: fixed working directory (the repository),
// no colours unless asked, and kernel-only services for the plain Linux fixtures.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../src/cli/cli.js';
import type { CliOptions, CliResult } from '../../src/cli/io.js';
import { machinePrograms, type MachineServices } from '../../src/scenario/index.js';

export const ROOT = join(import.meta.dirname, '..', '..');
export const FIXTURES = 'test/cli/fixtures';
export const HAND_BUILT = `${FIXTURES}/hand-built.yaml`;
export const FAILING = `${FIXTURES}/failing.yaml`;
export const FLAGSHIP = 'scenarios/flagship.yaml';
export const DOCKER = `${FIXTURES}/docker-bridge.yaml`;
export const TEN_MISTAKES = 'test/fixtures/scenarios/ten-mistakes.yaml';

export const kernelOnly: MachineServices = {
  programs: machinePrograms,
  startDocker: () => ({ containerContext: () => undefined, containerNames: () => [], inspect: () => undefined }),
};

/** `cnmsim ARGS...` run in the repository root. */
export function cnmsim(args: readonly string[], options: CliOptions = {}): Promise<CliResult> {
  return runCli(args, { cwd: ROOT, ...options });
}

/** The same, with machines that run no Docker daemon. */
export function plainCnmsim(args: readonly string[], options: CliOptions = {}): Promise<CliResult> {
  return cnmsim(args, { services: kernelOnly, ...options });
}

export function tempDir(): { readonly dir: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'cnmsim-cli-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** No stack trace ever reaches the user. */
export function noStackTrace(r: CliResult): boolean {
  return !/\n\s+at .+:\d+:\d+\)?/.test(r.stderr) && !r.stderr.includes('Error:');
}
