/**
 * `docker network create|ls|inspect|rm|connect|disconnect|prune`.
 *
 * Models: docker/cli 20.10 `cli/command/network/`: `create.go` (`-d bridge` by default,
 * `--subnet/--ip-range/--gateway` as comma-separated slices, `--aux-address` and `-o` as maps,
 * `consolidateIpam`: `every ip-range or gateway must have a corresponding subnet`, `multiple
 * overlapping subnet configuration is not supported`, `no matching subnet for range x`, `no
 * matching subnet for gateway x`, `no matching subnet for aux-address x`, `cannot configure
 * multiple ranges (a, b) on the same subnet (s)`, `invalid subnet: invalid CIDR address: x`;
 * prints the id), `list.go` (`table {{.ID}}\t{{.Name}}\t{{.Driver}}\t{{.Scope}}`, sorted by
 * name naturally, `-q`, `--no-trunc`, `-f`), `inspect.go`, `remove.go` (the name printed per
 * success, `Error: No such network: x` / daemon errors per failure, exit 1 if any failed),
 * `connect.go` (an endpoint config with an empty `IPAMConfig` and `DriverOpts`, as the 03
 * capture's `"IPAMConfig":{}`, `"DriverOpts":{}` show), `disconnect.go` (`-f`) and `prune.go`
 * (asks `[y/N]` unless `-f`; `Deleted Networks:` and the names).
 * Leaves out: `--ipv6` pools, `--config-from`, `--ingress` swarm semantics, `ls -f dangling`.
 */
import { parseCidr, isCidr, cidrContains, parseIpv4 } from '../../packet/index.js';
import { shortId } from '../../engine/index.js';
import { Cli, type CommandSpec } from './cli.js';
import { inspectAll, lookupGetter } from './cmd-inspect.js';
import { formatList, naturalCompare } from './formatter.js';
import type { JsonValue } from './go-json.js';
import type { FlagValues } from './pflag.js';
import { endpointSettings } from './run-options.js';

type Obj = { readonly [k: string]: JsonValue };

interface IpamEntry {
  subnet: string;
  ipRange: string;
  gateway: string;
  auxAddresses: Map<string, string>;
}

/** `subnetMatches(subnet, data)`. */
function subnetMatches(subnet: string, data: string): boolean | string {
  const s = parseCidr(subnet);
  if (!isCidr(s)) return `invalid subnet: invalid CIDR address: ${subnet}`;
  let ip: number | undefined;
  if (data.includes('/')) {
    const d = parseCidr(data);
    if (!isCidr(d)) return `invalid CIDR address: ${data}`;
    ip = d.address;
  } else ip = parseIpv4(data);
  return ip !== undefined && cidrContains(s, ip);
}

/** `consolidateIpam`. */
export function consolidateIpam(subnets: readonly string[], ranges: readonly string[], gateways: readonly string[], aux: ReadonlyMap<string, string>): IpamEntry[] | string {
  if (subnets.length < ranges.length || subnets.length < gateways.length) return 'every ip-range or gateway must have a corresponding subnet';
  const data = new Map<string, IpamEntry>();
  for (const s of subnets) {
    for (const k of data.keys()) {
      const a = subnetMatches(s, k);
      if (typeof a === 'string') return a;
      const b = subnetMatches(k, s);
      if (typeof b === 'string') return b;
      if (a || b) return 'multiple overlapping subnet configuration is not supported';
    }
    data.set(s, { subnet: s, ipRange: '', gateway: '', auxAddresses: new Map() });
  }
  const attach = (values: Iterable<[string, string]>, what: 'range' | 'gateway' | 'aux-address'): string | undefined => {
    for (const [key, v] of values) {
      let match = false;
      for (const s of subnets) {
        const m = subnetMatches(s, v);
        if (typeof m === 'string') return m;
        if (!m) continue;
        const d = data.get(s)!;
        if (what === 'range') {
          if (d.ipRange !== '') return `cannot configure multiple ranges (${v}, ${d.ipRange}) on the same subnet (${s})`;
          d.ipRange = v;
        } else if (what === 'gateway') {
          if (d.gateway !== '') return `cannot configure multiple gateways (${v}, ${d.gateway}) for the same subnet (${s})`;
          d.gateway = v;
        } else d.auxAddresses.set(key, v);
        match = true;
      }
      if (!match) return `no matching subnet for ${what} ${v}`;
    }
    return undefined;
  };
  const e = attach(ranges.map(r => ['', r]), 'range') ?? attach(gateways.map(g => ['', g]), 'gateway') ?? attach(aux, 'aux-address');
  return e ?? [...data.values()];
}

function runCreate(cli: Cli, args: string[], f: FlagValues): void {
  const ipam = consolidateIpam(f.list('subnet'), f.list('ip-range'), f.list('gateway'), f.map('aux-address'));
  if (typeof ipam === 'string') return cli.fail(ipam);
  const created = cli.daemon.networkCreate({
    name: args[0]!,
    driver: f.string('driver', 'bridge'),
    options: f.map('opt'),
    ipamDriver: f.string('ipam-driver', 'default'),
    ipamOptions: f.map('ipam-opt'),
    ipamConfig: ipam,
    internal: f.bool('internal'),
    attachable: f.bool('attachable'),
    ingress: f.bool('ingress'),
    enableIPv6: f.bool('ipv6'),
    labels: f.map('label'),
    scope: f.string('scope'),
  });
  if (!created.ok) return cli.fail(Cli.daemonMessage(created.error));
  cli.out(`${created.value.id}\n`);
  cli.exit(0);
}

const LS_TABLE = 'table {{.ID}}\t{{.Name}}\t{{.Driver}}\t{{.Scope}}';
const LS_HEADERS: JsonValue = { ID: 'NETWORK ID', Name: 'NAME', Driver: 'DRIVER', Scope: 'SCOPE', IPv6: 'IPV6', Internal: 'INTERNAL', CreatedAt: 'CREATED AT', Labels: 'LABELS' };

/** `docker network ls` filters (`driver`, `id`, `label`, `name`, `scope`, `type`). */
function lsFilter(n: Obj, filters: readonly string[]): boolean | string {
  for (const f of filters) {
    const eq = f.indexOf('=');
    if (eq === -1) return 'bad format of filter (expected name=value)';
    const k = f.slice(0, eq).toLowerCase();
    const v = f.slice(eq + 1);
    const name = n['Name'] as string;
    if (k === 'name' && !name.includes(v)) return false;
    else if (k === 'id' && !(n['Id'] as string).startsWith(v)) return false;
    else if (k === 'driver' && n['Driver'] !== v) return false;
    else if (k === 'scope' && n['Scope'] !== v) return false;
    else if (k === 'type' && (v === 'builtin') !== ['bridge', 'host', 'none'].includes(name)) return false;
    else if (k === 'label' && !(v.split('=')[0]! in (n['Labels'] as Obj))) return false;
    else if (!['name', 'id', 'driver', 'scope', 'type', 'label'].includes(k)) return `Invalid filter '${k}'`;
  }
  return true;
}

function runLs(cli: Cli, _args: string[], f: FlagValues): void {
  const all = cli.daemon.networkList() as Obj[];
  const kept: Obj[] = [];
  for (const n of all) {
    const m = lsFilter(n, f.list('filter'));
    if (typeof m === 'string') return cli.fail(`Error response from daemon: ${m}`);
    if (m) kept.push(n);
  }
  kept.sort((a, b) => naturalCompare(a['Name'] as string, b['Name'] as string));
  const trunc = !f.bool('no-trunc');
  const rows = kept.map(n => ({
    ID: trunc ? shortId(n['Id'] as string) : (n['Id'] as string),
    Name: n['Name']!,
    Driver: n['Driver']!,
    Scope: n['Scope']!,
    IPv6: String(n['EnableIPv6']),
    Internal: String(n['Internal']),
    CreatedAt: goCreatedAt(n['Created'] as string),
    Labels: Object.entries(n['Labels'] as Obj)
      .map(([k, v]) => `${k}=${String(v)}`)
      .join(','),
  }));
  const format = f.bool('quiet') ? '{{.ID}}' : f.string('format') === '' ? LS_TABLE : f.string('format');
  const out = formatList(format, rows, LS_HEADERS, { typeOf: () => '*formatter.networkContext' });
  if (!out.ok) return cli.fail(out.error);
  cli.out(out.value);
  cli.exit(0);
}

/** `time.Time.String()` of an RFC 3339 creation time (`2026-11-22 13:34:55.1 +0000 UTC`). */
function goCreatedAt(rfc3339: string): string {
  return `${rfc3339.replace('T', ' ').replace('Z', '')} +0000 UTC`;
}

function runRm(cli: Cli, args: string[]): void {
  let status = 0;
  for (const name of args) {
    const r = cli.daemon.networkRemove(name);
    if (!r.ok) {
      cli.err(`${Cli.lookupMessage(r.error, 'network', name)}\n`);
      status = 1;
      continue;
    }
    cli.out(`${name}\n`);
  }
  cli.exit(status);
}

function runConnect(cli: Cli, args: string[], f: FlagValues): void {
  const [net = '', ctr = ''] = args;
  const conf = endpointSettings();
  conf.ipamConfig = { ipv4Address: f.string('ip'), ipv6Address: f.string('ip6'), linkLocalIps: f.list('link-local-ip') };
  conf.links = f.list('link').length === 0 ? null : f.list('link');
  conf.aliases = f.list('alias').length === 0 ? null : f.list('alias');
  const opts: Record<string, string> = {};
  for (const o of f.list('driver-opt')) {
    const i = o.indexOf('=');
    if (i === -1) return cli.fail('invalid key value pair format in driver options');
    opts[o.slice(0, i).trim().toLowerCase()] = o.slice(i + 1).trim().toLowerCase();
  }
  conf.driverOpts = opts;
  const r = cli.daemon.networkConnect(net, ctr, conf);
  if (!r.ok) return cli.fail(Cli.daemonMessage(r.error));
  cli.exit(0);
}

function runDisconnect(cli: Cli, args: string[], f: FlagValues): void {
  const [net = '', ctr = ''] = args;
  const r = cli.daemon.networkDisconnect(net, ctr, f.bool('force'));
  if (!r.ok) return cli.fail(Cli.daemonMessage(r.error));
  cli.exit(0);
}

const PRUNE_WARNING = 'WARNING! This will remove all custom networks not used by at least one container.\nAre you sure you want to continue?';

function runPrune(cli: Cli, _args: string[], f: FlagValues): void {
  if (!f.bool('force')) {
    cli.out(`${PRUNE_WARNING} [y/N] `);
    const answer = (cli.proc.stdin.split('\n')[0] ?? '').trim().toLowerCase();
    if (answer !== 'y' && answer !== 'yes') {
      cli.exit(0);
      return;
    }
  }
  const deleted = cli.daemon.networksPrune();
  if (deleted.length > 0) cli.out(`Deleted Networks:\n${deleted.map(n => `${n}\n`).join('')}\n`);
  cli.exit(0);
}

const slice = (name: string): { name: string; kind: 'slice' } => ({ name, kind: 'slice' });

export const NETWORK_COMMANDS: readonly CommandSpec[] = [
  {
    name: 'create',
    use: 'create [OPTIONS] NETWORK',
    short: 'Create a network',
    flags: [
      { name: 'driver', short: 'd', kind: 'string' },
      { name: 'opt', short: 'o', kind: 'map' },
      { name: 'label', kind: 'list' },
      { name: 'internal', kind: 'bool' },
      { name: 'ipv6', kind: 'bool' },
      { name: 'attachable', kind: 'bool' },
      { name: 'ingress', kind: 'bool' },
      { name: 'scope', kind: 'string' },
      { name: 'config-only', kind: 'bool' },
      { name: 'config-from', kind: 'string' },
      { name: 'ipam-driver', kind: 'string' },
      slice('subnet'),
      slice('ip-range'),
      slice('gateway'),
      { name: 'aux-address', kind: 'map' },
      { name: 'ipam-opt', kind: 'map' },
    ],
    args: { kind: 'exact', n: 1 },
    run: runCreate,
  },
  {
    name: 'ls',
    aliases: ['list'],
    use: 'ls [OPTIONS]',
    short: 'List networks',
    flags: [
      { name: 'filter', short: 'f', kind: 'list' },
      { name: 'format', kind: 'string' },
      { name: 'no-trunc', kind: 'bool' },
      { name: 'quiet', short: 'q', kind: 'bool' },
    ],
    args: { kind: 'none' },
    run: runLs,
  },
  {
    name: 'inspect',
    use: 'inspect [OPTIONS] NETWORK [NETWORK...]',
    short: 'Display detailed information on one or more networks',
    flags: [
      { name: 'format', short: 'f', kind: 'string' },
      { name: 'verbose', short: 'v', kind: 'bool' },
    ],
    args: { kind: 'min', n: 1 },
    run: (cli, args, f) => inspectAll(cli, args, f.string('format'), lookupGetter('network', ref => cli.daemon.networkInspect(ref))),
  },
  { name: 'rm', aliases: ['remove'], use: 'rm NETWORK [NETWORK...]', short: 'Remove one or more networks', flags: [], args: { kind: 'min', n: 1 }, run: runRm },
  {
    name: 'connect',
    use: 'connect [OPTIONS] NETWORK CONTAINER',
    short: 'Connect a container to a network',
    flags: [{ name: 'ip', kind: 'string' }, { name: 'ip6', kind: 'string' }, { name: 'link', kind: 'list' }, slice('alias'), slice('link-local-ip'), slice('driver-opt')],
    args: { kind: 'exact', n: 2 },
    run: runConnect,
  },
  { name: 'disconnect', use: 'disconnect [OPTIONS] NETWORK CONTAINER', short: 'Disconnect a container from a network', flags: [{ name: 'force', short: 'f', kind: 'bool' }], args: { kind: 'exact', n: 2 }, run: runDisconnect },
  {
    name: 'prune',
    use: 'prune [OPTIONS]',
    short: 'Remove all unused networks',
    flags: [
      { name: 'force', short: 'f', kind: 'bool' },
      { name: 'filter', kind: 'list' },
    ],
    args: { kind: 'none' },
    run: runPrune,
  },
];
