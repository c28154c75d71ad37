/**
 * The docker CLI's command frame: a command's use line and flags, its argument count rules,
 * how it prints errors and with which exit status.
 *
 * Models: docker/cli 20.10 `cli/required.go` (`NoArgs`, `RequiresMinArgs`, `ExactArgs`,
 * `RequiresRangeArgs`: `"docker run" requires at least 1 argument.\nSee 'docker run --help'.\n\n
 * Usage:  docker run [OPTIONS] IMAGE [COMMAND] [ARG...]\n\nRun a command in a new container`,
 * exit 1), `cli/cobra.go` `FlagErrorFunc` (`unknown flag: --x\nSee 'docker run --help'.`, exit
 * 125), `cmd/docker/docker.go` `main` (a plain error is printed as it is and exits 1; a
 * `StatusError` prints its status and exits with its code), the API client's error texts
 * (`Error response from daemon: <message>`, and for 404s on lookups it wraps, `Error: No such
 * container: x`) and `--help` output (usage, description, flags).
 * Leaves out: cobra's suggestions (`Did you mean this?`), long help texts, `--help` for
 * management commands beyond their usage line.
 */
import type { Process } from '../../kernel/index.js';
import type { DockerError } from '../errors.js';
import type { DockerDaemon } from '../daemon/index.js';
import { parseFlags, type FlagSpec, type FlagValues } from './pflag.js';

export type ArgsRule = { readonly kind: 'none' } | { readonly kind: 'min'; readonly n: number } | { readonly kind: 'exact'; readonly n: number } | { readonly kind: 'range'; readonly min: number; readonly max: number } | { readonly kind: 'any' };

export interface CommandSpec {
  readonly name: string;
  readonly aliases?: readonly string[];
  /** The use line after `docker` (`run [OPTIONS] IMAGE [COMMAND] [ARG...]`). */
  readonly use: string;
  readonly short: string;
  readonly flags: readonly FlagSpec[];
  /** pflag interspersed parsing (false for run, create, exec). */
  readonly interspersed?: boolean;
  readonly args: ArgsRule;
  /** Runs the command; it ends the process through `cli.exit` (now or later). */
  readonly run: (cli: Cli, args: string[], flags: FlagValues) => void;
}

/** One run of the `docker` program: output, exit, and the daemon it talks to. */
export class Cli {
  constructor(
    readonly proc: Process,
    readonly daemon: DockerDaemon,
    /** `docker network create`. */
    readonly path: string,
  ) {}

  out(text: string): void {
    this.proc.out(text);
  }

  err(text: string): void {
    this.proc.err(text);
  }

  exit(code: number): void {
    this.proc.exit(code);
  }

  /** `main`'s handling of a plain error: the text, then exit 1. */
  fail(message: string, code = 1): void {
    this.err(`${message}\n`);
    this.exit(code);
  }

  /** A daemon error as the API client reports it. */
  static daemonMessage(e: DockerError): string {
    return `Error response from daemon: ${e.message}`;
  }

  /** The client's 404 wrapping for lookups of `object` (`Error: No such container: x`). */
  static lookupMessage(e: DockerError, object: string, ref: string): string {
    return e.kind === 'notFound' ? `Error: No such ${object}: ${ref}` : Cli.daemonMessage(e);
  }
}

function plural(n: number): string {
  return n === 1 ? 'argument' : 'arguments';
}

/** The usage text `--help` prints. */
export function usageText(path: string, spec: CommandSpec): string {
  const flags = spec.flags
    .map(f => `  ${f.short === undefined ? '    ' : `-${f.short}, `}--${f.name}${f.kind === 'bool' ? '' : ` ${f.kind === 'int' ? 'int' : f.kind === 'slice' ? 'strings' : f.kind === 'map' ? 'map' : f.kind === 'list' ? 'list' : 'string'}`}`)
    .join('\n');
  const aliases = spec.aliases === undefined || spec.aliases.length === 0 ? '' : `\nAliases:\n  ${[spec.name, ...spec.aliases].join(', ')}\n`;
  return `\nUsage:  docker ${spec.use.replace(/^\S+/, path.replace(/^docker /, ''))}\n\n${spec.short}\n${aliases}${flags === '' ? '' : `\nOptions:\n${flags}\n`}`;
}

/** Parses `argv` for `spec` and runs it, handling flag and argument-count errors as cobra does. */
export function execute(proc: Process, daemon: DockerDaemon, path: string, spec: CommandSpec, argv: readonly string[]): void {
  const cli = new Cli(proc, daemon, path);
  const parsed = parseFlags(argv, spec.flags, spec.interspersed ?? true);
  if (!parsed.ok) {
    cli.fail(`${parsed.error}\nSee '${path} --help'.`, 125);
    return;
  }
  if (parsed.value.help) {
    cli.out(usageText(path, spec));
    cli.exit(0);
    return;
  }
  const args = parsed.value.args;
  const useLine = `docker ${spec.use.replace(/^\S+/, path.replace(/^docker /, ''))}`;
  const tail = `\nSee '${path} --help'.\n\nUsage:  ${useLine}\n\n${spec.short}`;
  const rule = spec.args;
  let problem: string | undefined;
  switch (rule.kind) {
    case 'none':
      if (args.length > 0) problem = `"${path}" accepts no arguments.`;
      break;
    case 'min':
      if (args.length < rule.n) problem = `"${path}" requires at least ${rule.n} ${plural(rule.n)}.`;
      break;
    case 'exact':
      if (args.length !== rule.n) problem = `"${path}" requires exactly ${rule.n} ${plural(rule.n)}.`;
      break;
    case 'range':
      if (args.length < rule.min || args.length > rule.max) problem = `"${path}" requires at least ${rule.min} and at most ${rule.max} ${plural(rule.max)}.`;
      break;
    case 'any':
      break;
  }
  if (problem !== undefined) {
    cli.fail(`${problem}${tail}`, 1);
    return;
  }
  spec.run(cli, args, parsed.value.flags);
}
