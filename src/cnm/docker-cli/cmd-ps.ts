/**
 * `docker ps` (`docker container ls`).
 *
 * Models: docker/cli 20.10 `cli/command/container/list.go` (`-a`, `-q`, `-n`, `-l`, `--no-trunc`,
 * `--format`, `-f`), `cli/command/formatter/container.go` (the default table
 * `{{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}` with
 * headers `CONTAINER ID  IMAGE  COMMAND  CREATED  STATUS  PORTS  NAMES`; `Command` quoted and
 * cut to 20 characters with `…`; `RunningFor` = `HumanDuration(now - created) + " ago"`;
 * `DisplayablePorts`: ports sorted, equal host/container ports grouped into ranges per address,
 * `0.0.0.0:8080->80/tcp, :::8080->80/tcp`) and the daemon's filters `name` (a regular
 * expression on `/name`), `id` (prefix), `status`, `network`, `label`, `ancestor`.
 * Leaves out: `--size`, `before`/`since`/`volume`/`health` filters.
 */
import { shortId } from '../../engine/index.js';
import type { ContainerSummary, PortSummary } from '../daemon/index.js';
import { formatRfc3339Nano, DOCKER_EPOCH_UNIX_SECONDS } from '../core/index.js';
import type { Cli, CommandSpec } from './cli.js';
import { ellipsis, formatList, humanDuration } from './formatter.js';
import type { JsonValue } from './go-json.js';
import type { FlagValues } from './pflag.js';

const TABLE = 'table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}';
const HEADERS: JsonValue = {
  ID: 'CONTAINER ID',
  Image: 'IMAGE',
  Command: 'COMMAND',
  CreatedAt: 'CREATED AT',
  RunningFor: 'CREATED',
  Ports: 'PORTS',
  State: 'STATE',
  Status: 'STATUS',
  Size: 'SIZE',
  Names: 'NAMES',
  Labels: 'LABELS',
  Mounts: 'MOUNTS',
  Networks: 'NETWORKS',
  LocalVolumes: 'LOCAL VOLUMES',
};

function comparePorts(a: PortSummary, b: PortSummary): number {
  if (a.privatePort !== b.privatePort) return a.privatePort - b.privatePort;
  if (a.ip !== b.ip) return a.ip < b.ip ? -1 : 1;
  if (a.publicPort !== b.publicPort) return a.publicPort - b.publicPort;
  return a.type < b.type ? -1 : a.type > b.type ? 1 : 0;
}

function formGroup(key: string, first: number, last: number): string {
  const parts = key.split('/');
  let type = parts[0]!;
  let ip = '';
  if (parts.length > 1) {
    ip = parts[0]!;
    type = parts[1]!;
  }
  let group = first === last ? String(first) : `${first}-${last}`;
  if (ip !== '') group = `${ip}:${group}->${group}`;
  return `${group}/${type}`;
}

/** `DisplayablePorts`. */
export function displayablePorts(ports: readonly PortSummary[]): string {
  const groups = new Map<string, { first: number; last: number }>();
  const result: string[] = [];
  const hostMappings: string[] = [];
  for (const p of [...ports].sort(comparePorts)) {
    let key = p.type;
    if (p.ip !== '') {
      if (p.publicPort !== p.privatePort) {
        hostMappings.push(`${p.ip}:${p.publicPort}->${p.privatePort}/${p.type}`);
        continue;
      }
      key = `${p.ip}/${p.type}`;
    }
    const g = groups.get(key);
    if (g === undefined) {
      groups.set(key, { first: p.privatePort, last: p.privatePort });
      continue;
    }
    if (p.privatePort === g.last + 1) {
      g.last = p.privatePort;
      continue;
    }
    result.push(formGroup(key, g.first, g.last));
    // Go keeps the key where it was first recorded.
    groups.set(key, { first: p.privatePort, last: p.privatePort });
  }
  for (const [key, g] of groups) result.push(formGroup(key, g.first, g.last));
  return [...result, ...hostMappings].join(', ');
}

/** Go's `time.Time.String()` of whole Unix seconds: `2026-11-22 13:34:54 +0000 UTC`. */
function goTimeString(instantNs: number): string {
  return `${formatRfc3339Nano(DOCKER_EPOCH_UNIX_SECONDS + Math.floor(instantNs / 1e9), 0).replace('T', ' ').replace('Z', '')} +0000 UTC`;
}

function row(c: ContainerSummary, now: number, trunc: boolean): JsonValue {
  const createdSeconds = Math.floor(c.created / 1e9) * 1e9;
  return {
    ID: trunc ? shortId(c.id) : c.id,
    Image: trunc && /^sha256:/.test(c.image) ? shortId(c.image) : c.image,
    Command: JSON.stringify(trunc ? ellipsis(c.command, 20) : c.command),
    CreatedAt: goTimeString(c.created),
    RunningFor: `${humanDuration(now - createdSeconds)} ago`,
    Ports: displayablePorts(c.ports),
    State: c.state,
    Status: c.status,
    Size: '',
    Names: c.names.join(','),
    Labels: Object.entries(c.labels)
      .map(([k, v]) => `${k}=${v}`)
      .join(','),
    Mounts: '',
    Networks: [...c.networks].sort().join(','),
    LocalVolumes: '0',
  };
}

/** The daemon-side filters of `GET /containers/json`. */
function matches(c: ContainerSummary, filters: readonly string[]): boolean | string {
  const byKey = new Map<string, string[]>();
  for (const f of filters) {
    const eq = f.indexOf('=');
    if (eq === -1) return `bad format of filter (expected name=value)`;
    const k = f.slice(0, eq).toLowerCase();
    byKey.set(k, [...(byKey.get(k) ?? []), f.slice(eq + 1)]);
  }
  for (const [k, values] of byKey) {
    const any = (pred: (v: string) => boolean): boolean => values.some(pred);
    switch (k) {
      case 'name':
        if (!any(v => c.names.some(n => new RegExp(v).test(`/${n}`)))) return false;
        break;
      case 'id':
        if (!any(v => c.id.startsWith(v))) return false;
        break;
      case 'status':
        if (!any(v => v === c.state)) return false;
        break;
      case 'network':
        if (!any(v => c.networks.includes(v))) return false;
        break;
      case 'ancestor':
        if (!any(v => v === c.image || c.image.startsWith(`${v}:`))) return false;
        break;
      case 'label':
        if (!any(v => (v.includes('=') ? c.labels[v.slice(0, v.indexOf('='))] === v.slice(v.indexOf('=') + 1) : v in c.labels))) return false;
        break;
      default:
        return `invalid filter '${k}'`;
    }
  }
  return true;
}

function runPs(cli: Cli, _args: string[], f: FlagValues): void {
  const last = f.bool('latest') ? 1 : f.int('last', -1);
  let list = cli.daemon.containerList(f.bool('all') || last > 0);
  const kept: ContainerSummary[] = [];
  for (const c of list) {
    const m = matches(c, f.list('filter'));
    if (typeof m === 'string') return cli.fail(`Error response from daemon: ${m}`);
    if (m) kept.push(c);
  }
  list = last > 0 ? kept.slice(0, last) : kept;
  const trunc = !f.bool('no-trunc');
  const format = f.bool('quiet') ? '{{.ID}}' : f.string('format') === '' ? TABLE : f.string('format');
  const now = cli.daemon.now();
  const out = formatList(format, list.map(c => row(c, now, trunc)), HEADERS, { typeOf: () => '*formatter.ContainerContext' });
  if (!out.ok) return cli.fail(out.error);
  cli.out(out.value);
  cli.exit(0);
}

export const PS_COMMAND: CommandSpec = {
  name: 'ps',
  aliases: ['ls', 'list'],
  use: 'ps [OPTIONS]',
  short: 'List containers',
  flags: [
    { name: 'all', short: 'a', kind: 'bool' },
    { name: 'quiet', short: 'q', kind: 'bool' },
    { name: 'size', short: 's', kind: 'bool' },
    { name: 'no-trunc', kind: 'bool' },
    { name: 'latest', short: 'l', kind: 'bool' },
    { name: 'last', short: 'n', kind: 'int' },
    { name: 'format', kind: 'string' },
    { name: 'filter', short: 'f', kind: 'list' },
  ],
  args: { kind: 'none' },
  run: runPs,
};
