/**
 * `ip netns add|delete|list|list-id|exec`: named network namespaces of a host.
 *
 * Models: iproute2 6.x `ip/ipnetns.c`: `netns_list` (the names in /run/netns in directory order,
 * which on tmpfs is newest first, each with ` (id: N)` when the current namespace has assigned
 * that namespace an id), `netns_add` (`Cannot create namespace file "/run/netns/NAME": File
 * exists`, `Invalid netns name "NAME"`), `netns_delete` (`Cannot remove namespace file ...`),
 * `netns_exec` (`No netns name specified`, `No command specified`, `Cannot open network
 * namespace "NAME": No such file or directory`, `exec of "CMD" failed: No such file or
 * directory`; the command runs in the namespace and its output is the command's own),
 * `ipnetns_list_id` (`nsid N (iproute2 netns name: NAME)`), and `net/core/net_namespace.c`
 * (`unhash_nsid`: a deleted namespace's ids disappear from every namespace).
 * Namespace ids are the device layer's (`netnsId`), kept in each namespace's `netnsids` slot.
 * Leaves out: `-all`, `identify`, `pids`, `monitor`, `set`, `attach`, mount propagation.
 */
import type { NetNamespace } from '../netns.js';
import { spawn } from '../process.js';
import { Args, die, matches } from './cli-args.js';
import type { IpContext } from './ip-context.js';

/** The device layer's per-namespace id table (`devices/link-details.ts`, `peernet2id_alloc`). */
const NETNSIDS_KEY = 'netnsids';

function idsOf(ns: NetNamespace): Map<NetNamespace, number> | undefined {
  return ns.ext.get(NETNSIDS_KEY) as Map<NetNamespace, number> | undefined;
}

/** The id `ns` has assigned to `other`, without assigning one. */
export function peekNetnsId(ns: NetNamespace, other: NetNamespace): number | undefined {
  return idsOf(ns)?.get(other);
}

/** `ip netns list`. */
export function ipNetnsList(ctx: IpContext): string {
  const named = [...ctx.ns.host.named.entries()].reverse();
  return named
    .map(([name, ns]) => {
      const id = peekNetnsId(ctx.ns, ns);
      return id === undefined ? `${name}\n` : `${name} (id: ${id})\n`;
    })
    .join('');
}

function listIds(ctx: IpContext): string {
  const ids = idsOf(ctx.ns);
  if (ids === undefined) return '';
  const rows = [...ids.entries()].sort((a, b) => a[1] - b[1]);
  return rows
    .map(([ns, id]) => {
      const name = [...ctx.ns.host.named.entries()].find(([, n]) => n === ns)?.[0];
      return name === undefined ? `nsid ${id}\n` : `nsid ${id} (iproute2 netns name: ${name})\n`;
    })
    .join('');
}

/** iproute2's `invalid_name`: no `/`, not `.` or `..`. */
function validNetnsName(name: string): boolean {
  return name !== '.' && name !== '..' && !name.includes('/');
}

/** `ip netns exec NAME CMD...`: runs CMD from the same registry in NAME; finishes when it does. */
function netnsExec(ctx: IpContext, args: Args): number | 'pending' {
  if (args.done) die('No netns name specified\n', 1);
  const name = args.shift();
  if (args.done) die('No command specified\n', 1);
  const target = ctx.ns.host.named.get(name);
  if (target === undefined) die(`Cannot open network namespace "${name}": No such file or directory\n`, 255);
  const argv = args.rest();
  const program = argv[0] ?? '';
  if (ctx.registry.get(program) === undefined) die(`exec of "${program}" failed: No such file or directory\n`, 1);
  const { proc } = ctx;
  const child = spawn(ctx.registry, { ns: target, argv, fs: proc.fs, userland: proc.userland, hostname: proc.hostname, stdin: proc.stdin });
  proc.onSignal(signal => child.kill(signal));
  child.onExit(code => {
    proc.out(child.stdout);
    proc.err(child.stderr);
    proc.exit(code);
  });
  return 'pending';
}

/** `ip netns ...`; 'pending' when `exec` leaves the process running until its command ends. */
export function doIpNetns(ctx: IpContext, words: readonly string[]): number | 'pending' {
  const args = new Args(words);
  const host = ctx.ns.host;
  if (args.done) {
    ctx.proc.out(ipNetnsList(ctx));
    return 0;
  }
  const second = args.peek();
  if (second !== undefined && !validNetnsName(second)) die(`Invalid netns name "${second}"\n`, 255);
  const cmd = args.shift();
  if (matches(cmd, 'list') || matches(cmd, 'show') || matches(cmd, 'lst')) {
    ctx.proc.out(ipNetnsList(ctx));
    return 0;
  }
  if (matches(cmd, 'list-id')) {
    ctx.proc.out(listIds(ctx));
    return 0;
  }
  if (matches(cmd, 'add')) {
    if (args.done) die('No netns name specified\n', 1);
    const name = args.cur;
    if (host.addNamedNamespace(name) === undefined) die(`Cannot create namespace file "/run/netns/${name}": File exists\n`, 1);
    return 0;
  }
  if (matches(cmd, 'delete')) {
    if (args.done) die('No netns name specified\n', 1);
    const name = args.cur;
    const ns = host.named.get(name);
    if (ns === undefined || !host.deleteNamedNamespace(name)) die(`Cannot remove namespace file "/run/netns/${name}": No such file or directory\n`, 1);
    for (const other of host.namespaces()) idsOf(other)?.delete(ns);
    return 0;
  }
  if (matches(cmd, 'exec')) return netnsExec(ctx, args);
  die(`Command "${cmd}" is unknown, try "ip netns help".\n`, 255);
}
