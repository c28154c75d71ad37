/**
 * What every `cnmsim` command writes to and reads from: buffered stdout and stderr, the exit code
 * (design.md section 7: 0 all expectations hold, 1 an expectation failed, 2 the input is
 * invalid; 70 an internal error, as sysexits' EX_SOFTWARE), whether colours are allowed, the
 * working directory, and the services scenario runs use. Commands never touch `process`, so
 * tests run the whole CLI in-process (`runCli`) and two runs can share one process.
 *
 * Colours: only when stdout is a terminal, never with `--json` (`colours(io, json)`), through a
 * chalk instance of our own so the global one's auto-detection never decides.
 * Leaves out: reading stdin (no command needs it).
 */
import { Chalk } from 'chalk';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { PLAIN_STYLE, type MachineServices, type TraceStyle } from '../scenario/index.js';

export const EXIT = { ok: 0, failed: 1, invalid: 2, internal: 70 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export interface CliOptions {
  /** Colours allowed (stdout is a terminal). Default false. */
  readonly color?: boolean;
  /** Where relative paths are read from and written to. Default `process.cwd()` at call time. */
  readonly cwd?: string;
  /** The machines' software (default: the real simulated programs and Docker daemon). */
  readonly services?: MachineServices;
  /** Where `list` and `demo` find the bundled scenarios. */
  readonly scenariosDir?: string;
}

export interface CliResult {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** A command's view of the terminal and the file system. */
export class CliIo {
  private readonly outParts: string[] = [];
  private readonly errParts: string[] = [];
  private code = 0;

  constructor(
    readonly color: boolean,
    readonly cwd: string,
    readonly services: MachineServices,
    readonly scenariosDir: string,
  ) {}

  out(text: string): void {
    this.outParts.push(text);
  }

  err(text: string): void {
    this.errParts.push(text);
  }

  /** Records an exit code; the most serious one wins (2 over 1 over 0; 70 over all). */
  exit(code: number): void {
    if (code === EXIT.internal || (this.code !== EXIT.internal && code > this.code)) this.code = code;
  }

  /** `cnmsim: MESSAGE` on stderr and exit 2: a bad argument or file, never a stack trace. */
  invalid(message: string): void {
    this.err(`cnmsim: ${message}\n`);
    this.exit(EXIT.invalid);
  }

  path(p: string): string {
    return resolve(this.cwd, p);
  }

  /** Reads a text file, or reports why it cannot (exit 2) and returns undefined. */
  readText(p: string): string | undefined {
    try {
      return readFileSync(this.path(p), 'utf8');
    } catch (e) {
      this.invalid(`cannot read ${p}: ${systemMessage(e)}`);
      return undefined;
    }
  }

  result(): CliResult {
    return { exitCode: this.code, stdout: this.outParts.join(''), stderr: this.errParts.join('') };
  }
}

/** `ENOENT: no such file or directory` without the path the message repeats. */
export function systemMessage(e: unknown): string {
  if (e instanceof Error) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return 'no such file or directory';
    if (code === 'EISDIR') return 'it is a directory';
    if (code === 'EACCES') return 'permission denied';
    return e.message;
  }
  return String(e);
}

/** chalk at level 1 (16 colours) when colours are allowed, else a chalk that adds nothing. */
export function colours(io: CliIo, json = false): InstanceType<typeof Chalk> {
  return new Chalk({ level: io.color && !json ? 1 : 0 });
}

/** The teaching trace's style on this terminal. */
export function traceStyle(io: CliIo, json = false): TraceStyle {
  if (!io.color || json) return PLAIN_STYLE;
  const c = colours(io);
  return {
    title: (s) => c.bold(s),
    header: (s) => c.cyan(s),
    ok: (s) => c.green(s),
    drop: (s) => c.red(s),
    rewrite: (s) => c.yellow(s),
    rule: (s) => c.magenta(s),
    detail: (s) => c.dim(s),
  };
}
