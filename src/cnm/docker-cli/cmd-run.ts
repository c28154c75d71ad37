/**
 * `docker run` and `docker create`.
 *
 * Models: docker/cli 20.10 `cli/command/container/run.go` (`runRun`, `runContainer`,
 * `reportError`: `docker: <message>.` plus `See 'docker run --help'.` for parse and create
 * errors, without it for start errors; `runStartContainerErr`: 127 for a missing executable, 126
 * for permission denied, else 125; `CheckTty`: `the input device is not a TTY`; `Conflicting
 * options: -a and -d`; detached runs print the id before starting, attached ones wait for the
 * exit status and return it) and `create.go` (`createContainer`: the localhost-DNS warning,
 * reference parsing, `Unable to find image 'x:latest' locally` and the pull that follows a 404,
 * `WARNING: <daemon warning>`; `runCreate` returns daemon errors as plain errors, exit 1).
 * Signals reaching an attached `docker run` are passed on to the container (`--sig-proxy`).
 * Leaves out: pulling (the catalogue is all there is), `--cidfile`, attaching a real stdin.
 */
import type { DockerError } from '../errors.js';
import { ImageCatalogue, parseReference } from '../images/index.js';
import { Cli, type CommandSpec } from './cli.js';
import type { FlagValues } from './pflag.js';
import { isLocalhost } from './opts.js';
import { CONTAINER_FLAGS, RUN_FLAGS, parseRunOptions, type ParsedRun } from './run-options.js';

/** `reportError(stderr, name, str, withHelp)`. */
function reportError(cli: Cli, name: string, message: string, withHelp: boolean): void {
  const text = `${message.replace(/\.$/, '')}.`;
  cli.err(`docker: ${text}${withHelp ? `\nSee 'docker ${name} --help'.` : ''}\n`);
}

/** `runStartContainerErr`. */
function startErrorStatus(message: string): number {
  const m = message.replace(/^Error response from daemon: /, '');
  if (m.includes('executable file not found') || m.includes('no such file or directory') || m.includes('system cannot find the file specified')) return 127;
  if (m.includes('permission denied') || m.includes('is a directory')) return 126;
  return 125;
}

/** `createContainer`: warnings, the image check and pull, the daemon call. */
function createContainer(cli: Cli, parsed: ParsedRun): { ok: true; id: string } | { ok: false; message: string; error?: DockerError } {
  const req = parsed.request;
  const dns = req.hostConfig.dns.find(isLocalhost);
  if (dns !== undefined) cli.err(`WARNING: Localhost DNS setting (--dns=${dns}) may fail in containers.\n`);
  const ref = parseReference(req.config.image);
  if (typeof ref === 'string') return { ok: false, message: ref };
  let created = cli.daemon.containerCreate(req);
  if (!created.ok && created.error.kind === 'notFound') {
    cli.err(`Unable to find image '${ImageCatalogue.familiarString(req.config.image)}' locally\n`);
    const pulled = cli.daemon.imageLookup(req.config.image);
    if (!pulled.ok) return { ok: false, message: pulled.kind === 'invalid' ? pulled.error : `Error response from daemon: ${pulled.error}` };
    created = cli.daemon.containerCreate(req);
  }
  if (!created.ok) return { ok: false, message: Cli.daemonMessage(created.error), error: created.error };
  for (const w of created.value.warnings) cli.err(`WARNING: ${w}\n`);
  return { ok: true, id: created.value.id };
}

function runRun(cli: Cli, args: string[], f: FlagValues): void {
  const [image = '', ...cmd] = args;
  const parsed = parseRunOptions(f, image, cmd);
  if (typeof parsed === 'string') {
    reportError(cli, 'run', parsed, true);
    cli.exit(125);
    return;
  }
  const detach = f.bool('detach');
  const config = parsed.request.config;
  if (!detach) {
    if (config.tty && config.attachStdin) return cli.fail('the input device is not a TTY');
  } else {
    if (f.list('attach').length > 0) return cli.fail('Conflicting options: -a and -d');
    config.attachStdin = false;
    config.attachStdout = false;
    config.attachStderr = false;
    config.stdinOnce = false;
  }
  const created = createContainer(cli, parsed);
  if (!created.ok) {
    reportError(cli, 'run', created.message, true);
    cli.exit(startErrorStatus(created.message));
    return;
  }
  const id = created.id;
  const attached = config.attachStdout || config.attachStderr;
  if (!attached) cli.out(`${id}\n`);
  const logs = cli.daemon.containerLogs(id);
  const from = logs.ok ? { out: logs.value.stdout.length, err: logs.value.stderr.length } : { out: 0, err: 0 };
  let emitted = false;
  const emit = (): void => {
    if (emitted) return;
    emitted = true;
    const now = cli.daemon.containerLogs(id);
    if (!now.ok) return;
    const out = now.value.stdout.slice(from.out);
    const errText = now.value.stderr.slice(from.err);
    if (config.attachStdout) cli.out(out);
    if (config.attachStderr) (config.tty ? cli.out.bind(cli) : cli.err.bind(cli))(errText);
  };
  let status: number | undefined;
  let startReturned = false;
  if (attached) {
    // Registered before the start: a command that ends at once is still seen, and its output
    // is read before an `--rm` removal takes the logs away.
    cli.daemon.containerWait(id, code => {
      status = code;
      emit();
      if (startReturned) cli.exit(code);
    });
  }
  const started = cli.daemon.containerStart(id, { stdinEof: config.attachStdin });
  startReturned = true;
  if (!started.ok) {
    emit();
    const message = Cli.daemonMessage(started.error);
    reportError(cli, 'run', message, false);
    cli.exit(startErrorStatus(message));
    return;
  }
  if (!attached) {
    cli.exit(0);
    return;
  }
  if (status !== undefined) {
    cli.exit(status);
    return;
  }
  if (f.changed('sig-proxy') && !f.bool('sig-proxy')) return;
  cli.proc.onSignal(signal => {
    cli.daemon.containerKill(id, signal === 2 ? 'INT' : 'TERM');
    if (!cli.proc.done) emit();
  });
}

function runCreate(cli: Cli, args: string[], f: FlagValues): void {
  const [image = '', ...cmd] = args;
  const parsed = parseRunOptions(f, image, cmd);
  if (typeof parsed === 'string') {
    reportError(cli, 'create', parsed, true);
    cli.exit(125);
    return;
  }
  const created = createContainer(cli, parsed);
  if (!created.ok) return cli.fail(created.message);
  cli.out(`${created.id}\n`);
  cli.exit(0);
}

export const RUN_COMMAND: CommandSpec = {
  name: 'run',
  use: 'run [OPTIONS] IMAGE [COMMAND] [ARG...]',
  short: 'Run a command in a new container',
  flags: RUN_FLAGS,
  interspersed: false,
  args: { kind: 'min', n: 1 },
  run: runRun,
};

export const CREATE_COMMAND: CommandSpec = {
  name: 'create',
  use: 'create [OPTIONS] IMAGE [COMMAND] [ARG...]',
  short: 'Create a new container',
  flags: CONTAINER_FLAGS,
  interspersed: false,
  args: { kind: 'min', n: 1 },
  run: runCreate,
};
