/**
 * `cnmsim inspect FILE [--what iptables|ip-addr|ip-route|...]... [--on host1 | --in c1]
 * [--seed N]`: runs a scenario, then dumps state at the end by running the simulated tools where
 * the state lives, exactly as a person would: `iptables-save`, `ip addr`, `ip route`,
 * `bridge fdb show`, `conntrack -L`, `ipvsadm -Ln`, `ip neigh`, ...
 *
 * Models: an operator's first look at a Docker host (`iptables-save`, `ip -br addr`,
 * `bridge fdb`) and at a container's namespace from the host (`nsenter -n -t PID ip addr`: the
 * host's iproute2 against the container's namespace; files such as /etc/hosts are the
 * container's own). Output is the tools' own format.
 * Leaves out: state that no tool prints (use `trace` for what a packet meets).
 */
import type { Argv, CommandModule } from 'yargs';
import type { Place } from '../scenario/index.js';
import { colours, EXIT, type CliIo } from './io.js';
import { knownNames, loadFile, runLoaded } from './scenario-file.js';
import { listValues, seedOption } from './usage.js';

/** What can be dumped, and the command line that dumps it. */
export const INSPECT_VIEWS: Readonly<Record<string, readonly string[]>> = {
  iptables: ['iptables-save'],
  'iptables-nat': ['iptables', '-t', 'nat', '-L', '-n', '-v'],
  'iptables-filter': ['iptables', '-L', '-n', '-v'],
  'ip-addr': ['ip', 'addr'],
  'ip-link': ['ip', 'link'],
  'ip-route': ['ip', 'route'],
  'ip-rule': ['ip', 'rule'],
  'ip-neigh': ['ip', 'neigh'],
  'ip-netns': ['ip', 'netns', 'list'],
  'bridge-fdb': ['bridge', 'fdb', 'show'],
  'bridge-link': ['bridge', 'link'],
  brctl: ['brctl', 'show'],
  conntrack: ['conntrack', '-L'],
  ipvs: ['ipvsadm', '-Ln'],
  sockets: ['ss', '-tuan'],
  hosts: ['cat', '/etc/hosts'],
  resolv: ['cat', '/etc/resolv.conf'],
};

const HOST_DEFAULT = ['ip-addr', 'ip-route', 'iptables'];
const CONTAINER_DEFAULT = ['ip-addr', 'ip-route', 'hosts', 'resolv'];

interface InspectArgs {
  readonly file: string;
  readonly what?: string[] | undefined;
  readonly on?: string | undefined;
  readonly in?: string | undefined;
  readonly seed?: number | undefined;
}

export function inspectCommand(io: CliIo): CommandModule<object, InspectArgs> {
  return {
    command: 'inspect <file>',
    describe: 'Run a scenario, then dump state with the simulated tools (iptables-save, ip addr, ...)',
    builder: (y: Argv) =>
      y
        .positional('file', { type: 'string', demandOption: true, describe: 'Scenario YAML file' })
        .option('what', { type: 'string', array: true, describe: `What to dump (repeat or comma-separate): ${Object.keys(INSPECT_VIEWS).join(', ')}` })
        .option('on', { type: 'string', describe: 'A host or external (default: the first host)' })
        .option('in', { type: 'string', describe: 'A container' })
        .option('seed', seedOption)
        .conflicts('on', 'in') as unknown as Argv<InspectArgs>,
    handler: (args) => {
      const what = listValues(args.what);
      const unknown = what.filter((w) => INSPECT_VIEWS[w] === undefined);
      if (unknown.length > 0) {
        io.invalid(`--what ${unknown.join(', ')}: unknown; choose from ${Object.keys(INSPECT_VIEWS).join(', ')}`);
        return;
      }
      const scenario = loadFile(io, args.file);
      if (scenario === undefined) return;
      const run = runLoaded(io, scenario, { seed: args.seed });
      const name = args.in ?? args.on ?? run.lab.dockerHosts[0]?.name ?? [...run.lab.machines.keys()][0] ?? '';
      const found = run.context.place(name);
      const isContainer = found !== undefined && found.ns !== found.machine.host.rootNs;
      if (found === undefined || (args.in !== undefined && !isContainer) || (args.on !== undefined && isContainer)) {
        const kind = args.in !== undefined ? 'container' : 'host or external';
        io.invalid(`${args.in !== undefined ? '--in' : '--on'} ${name}: no ${kind} of that name (known: ${knownNames(run).join(', ')})`);
        return;
      }
      // From the host, as nsenter would: the host's tools, the container's network namespace.
      const place: Place = { ...found, userland: 'host' };
      const views = what.length > 0 ? what : isContainer ? CONTAINER_DEFAULT : HOST_DEFAULT;
      const c = colours(io);
      for (const view of views) {
        const argv = INSPECT_VIEWS[view]!;
        const proc = run.context.run(place, argv);
        io.out(`${c.cyan(`── ${name}: ${argv.join(' ')} ──`)}\n${proc.stdout}${proc.stderr}${proc.stdout.endsWith('\n') || proc.stdout === '' ? '' : '\n'}\n`);
      }
      io.exit(EXIT.ok);
    },
  };
}
