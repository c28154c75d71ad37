/**
 * bridge-utils 1.7 `brctl`: `show [BRIDGE...]`, `addbr`, `delbr`, `addif BR IF...`, `delif BR
 * IF...`, `showmacs BR`, `stp BR on|off`, `setageing BR SECONDS`, `hairpin BR PORT on|off`.
 *
 * Models: bridge-utils `brctl/brctl_cmd.c` (the messages of each command, all exiting 1:
 * `device X already exists; can't create bridge with the same name`, `bridge X doesn't exist;
 * can't delete it`, `bridge X is still up; can't delete it`, `interface X does not exist!`,
 * `device X is already a member of a bridge; can't enslave it to bridge Y.`, `device X is a
 * bridge device itself; can't enslave a bridge device to a bridge device.`, `device X is not a
 * slave of Y`; `show` prints `bridge name\tbridge id\t\tSTP enabled\tinterfaces` and one row
 * per bridge, ports sorted by name (`scandir` with `alphasort`) on continuation lines of seven
 * tabs; `showmacs` sorted by MAC, `%3i\t%s\t%s\t\t%4i.%.2i`), `brctl/brctl.c` (`never heard of
 * command [X]`, the usage), `libbridge` (SIOCBRADDBR / SIOCBRDELBR / SIOCBRADDIF: the kernel's
 * `br_add_bridge`, `br_del_bridge` (ENXIO, EPERM for a non-bridge, EBUSY while up), `br_add_if`).
 * Leaves out: `showstp`, `setbridgeprio`, `setfd`, `sethello`, `setmaxage`, `setpathcost`,
 * `setportprio` (STP is not modelled).
 */
import { formatMac } from '../../packet/index.js';
import { SECOND } from '../../engine/index.js';
import { BridgeDevice, bridgeLinkSet, bridgeSet, linkAdd, linkDel, linkSetMaster } from '../devices/index.js';
import type { NetNamespace } from '../netns.js';
import type { Process, Program } from '../process.js';
import { runSync } from './cli-args.js';
import { setTxQueueLen } from './link-view.js';

const COMMANDS: readonly (readonly [string, number, string])[] = [
  ['addbr', 1, '<bridge>\t\tadd bridge'],
  ['delbr', 1, '<bridge>\t\tdelete bridge'],
  ['addif', 2, '<bridge> <device>\tadd interface to bridge'],
  ['delif', 2, '<bridge> <device>\tdelete interface from bridge'],
  ['hairpin', 3, '<bridge> <port> {on|off}\tturn hairpin on/off'],
  ['setageing', 2, '<bridge> <time>\t\tset ageing time'],
  ['setbridgeprio', 2, '<bridge> <prio>\t\tset bridge priority'],
  ['setfd', 2, '<bridge> <time>\t\tset bridge forward delay'],
  ['sethello', 2, '<bridge> <time>\t\tset hello time'],
  ['setmaxage', 2, '<bridge> <time>\t\tset max message age'],
  ['setpathcost', 3, '<bridge> <port> <cost>\tset path cost'],
  ['setportprio', 3, '<bridge> <port> <prio>\tset port priority'],
  ['show', 0, '[ <bridge> ]\t\tshow a list of bridges'],
  ['showmacs', 1, '<bridge>\t\tshow a list of mac addrs'],
  ['showstp', 1, '<bridge>\t\tshow bridge stp info'],
  ['stp', 2, '<bridge> {on|off}\tturn stp on/off'],
];

export const BRCTL_USAGE = `Usage: brctl [commands]\ncommands:\n${COMMANDS.map(([n, , h]) => `\t${n.padEnd(10, ' ')}\t${h}\n`).join('')}`;

function bridges(ns: NetNamespace): BridgeDevice[] {
  return ns.sortedDevices().filter((d): d is BridgeDevice => d instanceof BridgeDevice);
}

function byName<T extends { name: string }>(a: T, b: T): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/** One bridge's rows of `brctl show`. */
function showBridge(br: BridgeDevice): string {
  const ports = br
    .ports()
    .map(p => p.dev)
    .sort(byName);
  const first = `${br.name}\t\t${br.bridgeId()}\t${br.stpState !== 0 ? 'yes' : 'no'}\t\t${ports[0]?.name ?? ''}\n`;
  return first + ports.slice(1).map(p => `\t\t\t\t\t\t\t${p.name}\n`).join('');
}

/** `brctl show [BRIDGE...]` output and exit status. */
export function brctlShow(proc: Process, names: readonly string[]): number {
  const ns = proc.ns;
  proc.out('bridge name\tbridge id\t\tSTP enabled\tinterfaces\n');
  if (names.length === 0) {
    proc.out([...bridges(ns)].sort(byName).map(showBridge).join(''));
    return 0;
  }
  let errs = 0;
  for (const name of names) {
    const dev = ns.device(name);
    if (dev instanceof BridgeDevice) {
      proc.out(showBridge(dev));
      continue;
    }
    proc.out(`${name}\t\t`);
    proc.err(`can't get info ${dev === undefined ? 'No such device' : 'Operation not supported'}\n`);
    errs++;
  }
  return errs > 0 ? 1 : 0;
}

function showMacs(proc: Process, name: string): number {
  const br = proc.ns.device(name);
  if (!(br instanceof BridgeDevice)) {
    proc.err(`read of forward table failed: ${br === undefined ? 'No such device' : 'Operation not supported'}\n`);
    return 1;
  }
  const now = proc.ns.host.world.engine.now;
  const rows = br.fdb
    .entries(now)
    .filter(e => e.port !== br)
    .sort((a, b) => a.mac - b.mac);
  let out = 'port no\tmac addr\t\tis local?\tageing timer\n';
  for (const e of rows) {
    const port = br.port(e.port);
    const age = e.state === 'local' ? 0 : Math.max(0, now - e.updated);
    const secs = Math.floor(age / SECOND);
    const cs = Math.floor((age % SECOND) / 10_000_000);
    out += `${String(port?.portNo ?? 0).padStart(3, ' ')}\t${formatMac(e.mac)}\t${e.state === 'local' ? 'yes' : 'no'}\t\t${String(secs).padStart(4, ' ')}.${String(cs).padStart(2, '0')}\n`;
  }
  proc.out(out);
  return 0;
}

function run(proc: Process): number {
  const argv = proc.argv.slice(1);
  const ns = proc.ns;
  const cmdName = argv[0];
  if (cmdName === undefined) {
    proc.out(BRCTL_USAGE);
    return 1;
  }
  const cmd = COMMANDS.find(([n]) => n === cmdName);
  if (cmd === undefined) {
    proc.err(`never heard of command [${cmdName}]\n`);
    proc.out(BRCTL_USAGE);
    return 1;
  }
  const [, nargs, help] = cmd;
  if (argv.length < nargs + 1) {
    proc.out(`Incorrect number of arguments for command\nUsage: brctl ${cmdName} ${help}\n`);
    return 1;
  }
  const a1 = argv[1] ?? '';
  const fail = (msg: string): number => {
    proc.err(`${msg}\n`);
    return 1;
  };
  switch (cmdName) {
    case 'show':
      return brctlShow(proc, argv.slice(1));
    case 'showmacs':
      return showMacs(proc, a1);
    case 'addbr': {
      const r = linkAdd(ns, { type: 'bridge', name: a1 });
      if (!r.ok) return fail(r.kind === 'exists' ? `device ${a1} already exists; can't create bridge with the same name` : `add bridge failed: Invalid argument`);
      setTxQueueLen(r.value, 1000);
      return 0;
    }
    case 'delbr': {
      const br = ns.device(a1);
      if (br === undefined) return fail(`bridge ${a1} doesn't exist; can't delete it`);
      if (!(br instanceof BridgeDevice)) return fail(`can't delete bridge ${a1}: Operation not permitted`);
      if (br.adminUp) return fail(`bridge ${a1} is still up; can't delete it`);
      linkDel(ns, br);
      return 0;
    }
    case 'addif':
    case 'delif': {
      let status = 0;
      for (const ifName of argv.slice(2)) {
        const dev = ns.device(ifName);
        if (dev === undefined) {
          status = fail(`interface ${ifName} does not exist!`);
          continue;
        }
        const br = ns.device(a1);
        if (cmdName === 'delif') {
          if (br === undefined) status = fail(`can't delete ${ifName} from ${a1}: No such device`);
          else if (!(br instanceof BridgeDevice) || dev.master !== br) status = fail(`device ${ifName} is not a slave of ${a1}`);
          else linkSetMaster(ns, dev, undefined);
          continue;
        }
        if (!(br instanceof BridgeDevice)) {
          status = fail(`can't add ${ifName} to bridge ${a1}: ${br === undefined ? 'No such device' : 'Operation not supported'}`);
          continue;
        }
        if (dev.master !== undefined) {
          status = fail(`device ${ifName} is already a member of a bridge; can't enslave it to bridge ${a1}.`);
          continue;
        }
        const r = linkSetMaster(ns, dev, br);
        if (r.ok) continue;
        if (r.kind === 'loop') status = fail(`device ${ifName} is a bridge device itself; can't enslave a bridge device to a bridge device.`);
        else if (r.kind === 'busy') status = fail(`device ${ifName} is already a member of a bridge; can't enslave it to bridge ${a1}.`);
        else status = fail(`can't add ${ifName} to bridge ${a1}: ${r.kind === 'unsupported' ? 'Operation not supported' : 'Invalid argument'}`);
      }
      return status;
    }
    case 'stp': {
      const v = argv[2] ?? '';
      const on = v === 'on' || v === 'yes' || v === '1';
      if (!on && v !== 'off' && v !== 'no' && v !== '0') return fail('expect on/off for argument');
      const r = bridgeSet(ns, a1, { stpState: on ? 1 : 0 });
      return r.ok ? 0 : fail(`set stp status failed: ${r.kind === 'not-found' ? 'No such device' : 'Operation not supported'}`);
    }
    case 'setageing': {
      const secs = Number.parseFloat(argv[2] ?? '');
      if (!Number.isFinite(secs)) return fail('bad ageing time value');
      const r = bridgeSet(ns, a1, { ageingTime: Math.round(secs * SECOND) });
      return r.ok ? 0 : fail('set ageing time failed: No such device');
    }
    case 'hairpin': {
      const v = argv[3] ?? '';
      if (v !== 'on' && v !== 'off') return fail('expect on/off for argument');
      const r = bridgeLinkSet(ns, argv[2] ?? '', { hairpin: v === 'on' });
      return r.ok ? 0 : fail(`can't set ${argv[2] ?? ''} to hairpin mode ${v}: No such device`);
    }
    default:
      return fail(`${cmdName}: not supported by this model (STP is not modelled)`);
  }
}

/** The `brctl` program. */
export const brctlProgram: Program = proc => runSync(proc, () => run(proc));
