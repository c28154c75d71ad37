/**
 * `docker start|stop|restart|kill|rm|exec|logs|port`.
 *
 * Models: docker/cli 20.10 `cli/command/container/`: `start.go` (names printed; failures as
 * `Error response from daemon: ...` then `Error: failed to start containers: a, b`; `-a` waits
 * for the exit status), `stop.go`/`kill.go` (all at once, names printed in argument order, errors
 * joined, exit 1; `-t` seconds), `restart.go`, `rm.go` (`-f` kills first; a 404 reads `Error: No
 * such container: x`), `exec.go` (`Error: No such container: x`, `Error response from daemon:
 * Container <id> is not running`; the runtime's failure is written into the output stream and
 * the status is 126; otherwise the command's status), `logs.go` (stdout and stderr as written;
 * `-f` waits for the container to end), `port.go` (`80/tcp -> 0.0.0.0:8080`, one line per
 * binding, ports in numeric order since Go's map order is random; `Error: No public port
 * '80/tcp' published for x`).
 * Leaves out: `--detach-keys`, attaching stdin, `logs --since/--until/--details`.
 */
import type { Result } from '../errors.js';
import { Cli, type CommandSpec } from './cli.js';
import type { JsonValue } from './go-json.js';
import type { FlagValues } from './pflag.js';

/** Runs `op` for every name (they may take virtual time), then prints names and errors in order. */
function forEachContainer(cli: Cli, names: readonly string[], op: (name: string, done: (r: Result<void>) => void) => void, describe: (name: string, r: Result<void>) => string = (_n, r) => (r.ok ? '' : Cli.daemonMessage(r.error))): void {
  const results = new Array<Result<void> | undefined>(names.length);
  let pending = names.length;
  const finish = (): void => {
    const errs: string[] = [];
    names.forEach((n, i) => {
      const r = results[i]!;
      if (r.ok) cli.out(`${n}\n`);
      else errs.push(describe(n, r));
    });
    if (errs.length > 0) cli.fail(errs.join('\n'));
    else cli.exit(0);
  };
  names.forEach((n, i) =>
    op(n, r => {
      results[i] = r;
      if (--pending === 0) finish();
    }),
  );
}

function runStart(cli: Cli, args: string[], f: FlagValues): void {
  if (f.bool('attach') && args.length > 1) return cli.fail('you cannot start and attach multiple containers at once');
  if (f.bool('attach')) {
    const name = args[0]!;
    const before = cli.daemon.containerLogs(name);
    if (!before.ok) return cli.fail(Cli.daemonMessage(before.error));
    const from = { out: before.value.stdout.length, err: before.value.stderr.length };
    let done = false;
    cli.daemon.containerWait(name, code => {
      const now = cli.daemon.containerLogs(name);
      if (now.ok) {
        cli.out(now.value.stdout.slice(from.out));
        cli.err(now.value.stderr.slice(from.err));
      }
      done = true;
      cli.exit(code);
    });
    const started = cli.daemon.containerStart(name, { stdinEof: f.bool('interactive') });
    if (!started.ok && !done) cli.fail(Cli.daemonMessage(started.error));
    return;
  }
  const failed: string[] = [];
  for (const name of args) {
    const r = cli.daemon.containerStart(name);
    if (!r.ok) {
      cli.err(`${Cli.daemonMessage(r.error)}\n`);
      failed.push(name);
      continue;
    }
    cli.out(`${name}\n`);
  }
  if (failed.length > 0) cli.fail(`Error: failed to start containers: ${failed.join(', ')}`);
  else cli.exit(0);
}

const seconds = (f: FlagValues): number | undefined => (f.changed('time') ? f.int('time', 10) : undefined);

function runStop(cli: Cli, args: string[], f: FlagValues): void {
  forEachContainer(cli, args, (n, done) => cli.daemon.containerStop(n, seconds(f), done));
}

function runRestart(cli: Cli, args: string[], f: FlagValues): void {
  // Sequential, as restart.go runs them one after the other.
  const errs: string[] = [];
  const next = (i: number): void => {
    const n = args[i];
    if (n === undefined) {
      if (errs.length > 0) cli.fail(errs.join('\n'));
      else cli.exit(0);
      return;
    }
    cli.daemon.containerRestart(n, seconds(f), r => {
      if (r.ok) cli.out(`${n}\n`);
      else errs.push(Cli.daemonMessage(r.error));
      next(i + 1);
    });
  };
  next(0);
}

function runKill(cli: Cli, args: string[], f: FlagValues): void {
  forEachContainer(cli, args, (n, done) => done(cli.daemon.containerKill(n, f.string('signal', 'KILL'))));
}

function runRm(cli: Cli, args: string[], f: FlagValues): void {
  forEachContainer(
    cli,
    args,
    (n, done) => done(n.replace(/^\/+|\/+$/g, '') === '' ? { ok: false, error: { kind: 'invalidParameter', message: 'Container name cannot be empty' } } : cli.daemon.containerRemove(n, f.bool('force'))),
    (n, r) => (r.ok ? '' : r.error.message === 'Container name cannot be empty' ? r.error.message : Cli.lookupMessage(r.error, 'container', n)),
  );
}

function runExec(cli: Cli, args: string[], f: FlagValues): void {
  const [name = '', ...cmd] = args;
  if (f.bool('tty') && f.bool('interactive') && !f.bool('detach')) return cli.fail('the input device is not a TTY');
  const proc = cli.daemon.containerExec(name, cmd, f.bool('interactive') && f.bool('detach'), (p, code) => {
    if (f.bool('detach')) return;
    cli.out(p.stdout);
    (f.bool('tty') ? cli.out.bind(cli) : cli.err.bind(cli))(p.stderr);
    cli.exit(code);
  });
  if (!proc.ok) {
    if (proc.error.kind === 'system' && proc.error.message.startsWith('OCI runtime exec failed')) {
      cli.out(`${proc.error.message}\r\n`);
      cli.exit(126);
      return;
    }
    return cli.fail(Cli.lookupMessage(proc.error, 'container', name));
  }
  if (f.bool('detach')) {
    cli.exit(0);
    return;
  }
  if (proc.value.done) return;
  cli.proc.onSignal(signal => {
    proc.value.kill(signal);
  });
}

function runLogs(cli: Cli, args: string[], f: FlagValues): void {
  const name = args[0]!;
  const logs = cli.daemon.containerLogs(name);
  if (!logs.ok) return cli.fail(Cli.lookupMessage(logs.error, 'container', name));
  const tail = f.string('tail', 'all');
  const cut = (text: string): string => {
    if (tail === 'all' || !/^\d+$/.test(tail)) return text;
    const lines = text.split('\n');
    if (lines[lines.length - 1] === '') lines.pop();
    const n = Number(tail);
    return n === 0 ? '' : lines.slice(-n).map(l => `${l}\n`).join('');
  };
  const print = (out: string, err: string): void => {
    cli.out(cut(out));
    cli.err(cut(err));
  };
  if (f.bool('follow') && logs.value.running !== undefined) {
    cli.daemon.containerWait(name, () => {
      const now = cli.daemon.containerLogs(name);
      if (now.ok) print(now.value.stdout, now.value.stderr);
      cli.exit(0);
    });
    cli.proc.onSignal(() => {
      const now = cli.daemon.containerLogs(name);
      if (now.ok) print(now.value.stdout, now.value.stderr);
    });
    return;
  }
  print(logs.value.stdout, logs.value.stderr);
  cli.exit(0);
}

function runPort(cli: Cli, args: string[]): void {
  const [name = '', wanted] = args;
  const doc = cli.daemon.containerInspect(name);
  if (!doc.ok) return cli.fail(Cli.lookupMessage(doc.error, 'container', name));
  const ports = ((doc.value as { [k: string]: JsonValue })['NetworkSettings'] as { [k: string]: JsonValue })['Ports'] as { [k: string]: { HostIp: string; HostPort: string }[] | null };
  if (wanted !== undefined) {
    const [port = '', proto = 'tcp'] = wanted.split('/');
    if (!/^\d+(-\d+)?$/.test(port)) return cli.fail(`Invalid port: ${wanted}`);
    const key = `${port}/${proto === '' ? 'tcp' : proto}`;
    const frontends = ports[key];
    if (frontends === undefined || frontends === null || frontends.length === 0) return cli.fail(`Error: No public port '${key}' published for ${name}`);
    for (const b of frontends) cli.out(`${b.HostIp}:${b.HostPort}\n`);
    cli.exit(0);
    return;
  }
  const keys = Object.keys(ports).sort((a, b) => Number(a.split('/')[0]) - Number(b.split('/')[0]) || (a < b ? -1 : a > b ? 1 : 0));
  for (const k of keys) for (const b of ports[k] ?? []) cli.out(`${k} -> ${b.HostIp}:${b.HostPort}\n`);
  cli.exit(0);
}

const time = { name: 'time', short: 't', kind: 'int' } as const;

export const CONTAINER_COMMANDS: readonly CommandSpec[] = [
  { name: 'start', use: 'start [OPTIONS] CONTAINER [CONTAINER...]', short: 'Start one or more stopped containers', flags: [{ name: 'attach', short: 'a', kind: 'bool' }, { name: 'interactive', short: 'i', kind: 'bool' }, { name: 'detach-keys', kind: 'string' }], args: { kind: 'min', n: 1 }, run: runStart },
  { name: 'stop', use: 'stop [OPTIONS] CONTAINER [CONTAINER...]', short: 'Stop one or more running containers', flags: [time], args: { kind: 'min', n: 1 }, run: runStop },
  { name: 'restart', use: 'restart [OPTIONS] CONTAINER [CONTAINER...]', short: 'Restart one or more containers', flags: [time], args: { kind: 'min', n: 1 }, run: runRestart },
  { name: 'kill', use: 'kill [OPTIONS] CONTAINER [CONTAINER...]', short: 'Kill one or more running containers', flags: [{ name: 'signal', short: 's', kind: 'string' }], args: { kind: 'min', n: 1 }, run: runKill },
  { name: 'rm', aliases: ['remove'], use: 'rm [OPTIONS] CONTAINER [CONTAINER...]', short: 'Remove one or more containers', flags: [{ name: 'force', short: 'f', kind: 'bool' }, { name: 'volumes', short: 'v', kind: 'bool' }, { name: 'link', short: 'l', kind: 'bool' }], args: { kind: 'min', n: 1 }, run: runRm },
  {
    name: 'exec',
    use: 'exec [OPTIONS] CONTAINER COMMAND [ARG...]',
    short: 'Run a command in a running container',
    flags: [
      { name: 'detach', short: 'd', kind: 'bool' },
      { name: 'interactive', short: 'i', kind: 'bool' },
      { name: 'tty', short: 't', kind: 'bool' },
      { name: 'env', short: 'e', kind: 'list' },
      { name: 'env-file', kind: 'list' },
      { name: 'user', short: 'u', kind: 'string' },
      { name: 'workdir', short: 'w', kind: 'string' },
      { name: 'privileged', kind: 'bool' },
      { name: 'detach-keys', kind: 'string' },
    ],
    interspersed: false,
    args: { kind: 'min', n: 2 },
    run: runExec,
  },
  {
    name: 'logs',
    use: 'logs [OPTIONS] CONTAINER',
    short: 'Fetch the logs of a container',
    flags: [
      { name: 'follow', short: 'f', kind: 'bool' },
      { name: 'tail', short: 'n', kind: 'string' },
      { name: 'timestamps', short: 't', kind: 'bool' },
      { name: 'since', kind: 'string' },
      { name: 'until', kind: 'string' },
      { name: 'details', kind: 'bool' },
    ],
    args: { kind: 'exact', n: 1 },
    run: runLogs,
  },
  { name: 'port', use: 'port CONTAINER [PRIVATE_PORT[/PROTO]]', short: 'List port mappings or a specific mapping for the container', flags: [], args: { kind: 'range', min: 1, max: 2 }, run: runPort },
];
