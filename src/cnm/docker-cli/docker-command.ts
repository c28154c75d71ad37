/**
 * The `docker` program: global options, the command tree (`docker run`, `docker network
 * create`, `docker container ls`, ...), and dispatch to each command.
 *
 * Models: docker/cli 20.10 `cmd/docker/docker.go` (global flags `-D`, `-H`, `-l`, `-c`,
 * `--config`, `--tls*`, `-v/--version`; an unknown command: `docker: 'x' is not a docker
 * command.\nSee 'docker --help'`, exit 1), `cli/command/commands/commands.go` (the top-level
 * shortcuts and the `container`, `network`, `image` management commands with their aliases) and
 * the management commands' own `Args: cli.NoArgs` (`"docker network" accepts no arguments.`).
 * `docker version` prints the reference host's versions (20.10.24+dfsg1, API 1.41).
 * Leaves out: `volume`, `system`, `swarm`, `service`, `compose`, plugins and contexts.
 */
import type { Process, Program } from '../../kernel/index.js';
import type { DockerDaemon } from '../daemon/index.js';
import { execute, type CommandSpec } from './cli.js';
import { CONTAINER_COMMANDS } from './cmd-container.js';
import { CONTAINER_INSPECT_COMMAND, IMAGE_INSPECT_COMMAND, INSPECT_COMMAND } from './cmd-inspect.js';
import { IMAGES_COMMAND, VERSION_COMMAND } from './cmd-misc.js';
import { NETWORK_COMMANDS } from './cmd-network.js';
import { PS_COMMAND } from './cmd-ps.js';
import { CREATE_COMMAND, RUN_COMMAND } from './cmd-run.js';

interface Group {
  readonly name: string;
  readonly short: string;
  readonly commands: readonly CommandSpec[];
}

const GROUPS: readonly Group[] = [
  { name: 'network', short: 'Manage networks', commands: NETWORK_COMMANDS },
  { name: 'container', short: 'Manage containers', commands: [RUN_COMMAND, CREATE_COMMAND, ...CONTAINER_COMMANDS, { ...PS_COMMAND, name: 'ls', aliases: ['ps', 'list'], use: 'ls [OPTIONS]' }, CONTAINER_INSPECT_COMMAND] },
  { name: 'image', short: 'Manage images', commands: [IMAGE_INSPECT_COMMAND, { ...IMAGES_COMMAND, name: 'ls', aliases: ['list'], use: 'ls [OPTIONS] [REPOSITORY[:TAG]]' }] },
];

const TOP_LEVEL: readonly CommandSpec[] = [RUN_COMMAND, CREATE_COMMAND, ...CONTAINER_COMMANDS, { ...PS_COMMAND, aliases: [] }, INSPECT_COMMAND, IMAGES_COMMAND, VERSION_COMMAND];

/** Global options that take a value (`docker -H unix:///x ps`). */
const GLOBAL_WITH_VALUE = new Set(['-H', '--host', '-l', '--log-level', '-c', '--context', '--config', '--tlscacert', '--tlscert', '--tlskey']);
const GLOBAL_BOOLS = new Set(['-D', '--debug', '--tls', '--tlsverify']);

function find(list: readonly CommandSpec[], word: string): CommandSpec | undefined {
  return list.find(c => c.name === word || (c.aliases ?? []).includes(word));
}

function mainUsage(): string {
  const cmds = TOP_LEVEL.map(c => `  ${c.name.padEnd(11)}${c.short}`).join('\n');
  const groups = GROUPS.map(g => `  ${g.name.padEnd(11)}${g.short}`).join('\n');
  return `\nUsage:  docker [OPTIONS] COMMAND\n\nA self-sufficient runtime for containers\n\nManagement Commands:\n${groups}\n\nCommands:\n${cmds}\n\nRun 'docker COMMAND --help' for more information on a command.\n`;
}

function groupUsage(g: Group): string {
  return `\nUsage:  docker ${g.name} COMMAND\n\n${g.short}\n\nCommands:\n${g.commands.map(c => `  ${c.name.padEnd(11)}${c.short}`).join('\n')}\n\nRun 'docker ${g.name} COMMAND --help' for more information on a command.\n`;
}

function dispatch(proc: Process, daemon: DockerDaemon, argv: readonly string[]): void {
  let i = 0;
  while (i < argv.length && argv[i]!.startsWith('-')) {
    const a = argv[i]!;
    const flag = a.includes('=') ? a.slice(0, a.indexOf('=')) : a;
    if (a === '-v' || a === '--version') {
      proc.out('Docker version 20.10.24+dfsg1, build 297e128\n');
      proc.exit(0);
      return;
    }
    if (a === '-h' || a === '--help') {
      proc.out(mainUsage());
      proc.exit(0);
      return;
    }
    if (GLOBAL_WITH_VALUE.has(flag)) i += a.includes('=') ? 1 : 2;
    else if (GLOBAL_BOOLS.has(flag)) i++;
    else {
      proc.err(`unknown ${a.startsWith('--') ? `flag: ${flag}` : `shorthand flag: '${a[1] ?? ''}' in ${a}`}\nSee 'docker --help'.\n`);
      proc.exit(125);
      return;
    }
  }
  const word = argv[i];
  if (word === undefined) {
    proc.out(mainUsage());
    proc.exit(0);
    return;
  }
  const rest = argv.slice(i + 1);
  const group = GROUPS.find(g => g.name === word);
  if (group !== undefined) {
    const sub = rest[0];
    if (sub === undefined || sub === '--help' || sub === '-h') {
      proc.out(groupUsage(group));
      proc.exit(0);
      return;
    }
    const spec = find(group.commands, sub);
    if (spec === undefined) {
      proc.err(`"docker ${group.name}" accepts no arguments.\nSee 'docker ${group.name} --help'.\n\nUsage:  docker ${group.name} COMMAND\n\n${group.short}\n`);
      proc.exit(1);
      return;
    }
    execute(proc, daemon, `docker ${group.name} ${spec.name}`, spec, rest.slice(1));
    return;
  }
  const spec = find(TOP_LEVEL, word);
  if (spec === undefined) {
    if (NOT_MODELLED.has(word)) {
      // A real docker command cnmsim does not simulate: say so instead of pretending it is unknown.
      proc.err(`cnmsim: 'docker ${word}' is not modelled yet (see the fidelity table in README.md)\n`);
      proc.exit(1);
      return;
    }
    proc.err(`docker: '${word}' is not a docker command.\nSee 'docker --help'\n`);
    proc.exit(1);
    return;
  }
  execute(proc, daemon, `docker ${spec.name}`, spec, rest);
}

/** The `docker` program talking to `daemon`. */
/** Real docker commands outside the model (README fidelity table). */
const NOT_MODELLED = new Set(['swarm', 'service', 'stack', 'node', 'secret', 'config', 'volume', 'compose', 'build', 'pull', 'push', 'plugin', 'system', 'info', 'events', 'pause', 'unpause', 'commit', 'cp', 'save', 'load']);

export function dockerProgram(daemon: DockerDaemon): Program {
  return proc => dispatch(proc, daemon, proc.argv.slice(1));
}
