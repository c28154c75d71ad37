/**
 * `docker run`/`docker create` options: the flag table and their translation into the container
 * create request (config, host config, networking config).
 *
 * Models: docker/cli 20.10 `cli/command/container/opts.go` (`addFlags`, `parse`,
 * `parseNetworkOpts`, `applyContainerOptions`, `parseNetworkAttachmentOpt`) and `run.go`
 * (`-d`, `--rm`, `--name`, `--sig-proxy`, `--detach-keys`, `--pull`):
 * - `--network`/`--net` may repeat (the first one is the network mode and takes `--ip`,
 *   `--network-alias` and `--link`); mixing user-defined and built-in networks: `conflicting
 *   options: cannot attach both user-defined and non-user-defined network-modes`;
 * - aliases and per-network links on a built-in network: `network-scoped aliases are only
 *   supported for user-defined networks`, `links are only supported for user-defined networks`;
 * - the only network's endpoint config is left out when it carries nothing (the daemon makes one);
 * - `Conflicting options: --restart and --rm`; `x is not a valid mac address`;
 * - `Dns`, `DnsSearch`, `DnsOptions` are never null, `ExtraHosts`, `Links` are null when unset.
 * Flags cnmsim does not model (volumes, resources, security) are accepted and ignored.
 * Leaves out: `--env-file`/`--label-file` contents (no files on the client), healthchecks.
 */
import type { ContainerCreateRequest, EndpointSettings, HostConfig } from '../daemon/index.js';
import type { FlagSpec, FlagValues } from './pflag.js';
import { isMac, kvMap, parseNetworkOpt, parsePortSpecs, parsePortRange, parseRestartPolicy, validateEnv, validateExtraHost, validateIpAddress, validateLabel, validateLink, type NetworkAttachment } from './opts.js';

const str = (name: string, short?: string): FlagSpec => (short === undefined ? { name, kind: 'string' } : { name, short, kind: 'string' });
const bool = (name: string, short?: string): FlagSpec => (short === undefined ? { name, kind: 'bool' } : { name, short, kind: 'bool' });
const list = (name: string, short?: string, validate?: FlagSpec['validate']): FlagSpec => ({ name, kind: 'list', ...(short === undefined ? {} : { short }), ...(validate === undefined ? {} : { validate }) });

/** `addFlags` (container options shared by run and create). */
export const CONTAINER_FLAGS: readonly FlagSpec[] = [
  list('attach', 'a'),
  list('env', 'e', validateEnv),
  list('env-file'),
  str('entrypoint'),
  str('hostname', 'h'),
  str('domainname'),
  bool('interactive', 'i'),
  bool('tty', 't'),
  list('label', 'l', validateLabel),
  list('label-file'),
  list('link', undefined, validateLink),
  list('network'),
  list('net'),
  list('network-alias'),
  list('net-alias'),
  str('ip'),
  str('ip6'),
  list('link-local-ip'),
  str('mac-address'),
  list('publish', 'p'),
  bool('publish-all', 'P'),
  list('expose'),
  list('dns', undefined, validateIpAddress),
  list('dns-search'),
  list('dns-option'),
  list('dns-opt'),
  list('add-host', undefined, validateExtraHost),
  bool('rm'),
  str('restart'),
  bool('privileged'),
  list('cap-add'),
  list('cap-drop'),
  str('user', 'u'),
  str('workdir', 'w'),
  list('volume', 'v'),
  list('mount'),
  list('volumes-from'),
  list('tmpfs'),
  str('memory', 'm'),
  str('cpus'),
  str('cpu-shares', 'c'),
  bool('init'),
  bool('read-only'),
  str('stop-signal'),
  { name: 'stop-timeout', kind: 'int' },
  str('platform'),
  str('pull'),
  bool('quiet', 'q'),
  str('log-driver'),
  list('log-opt'),
  list('ulimit'),
  list('sysctl'),
  list('device'),
  list('security-opt'),
  str('pid'),
  str('ipc'),
  str('uts'),
  str('userns'),
  str('cgroupns'),
  str('shm-size'),
  str('runtime'),
  str('isolation'),
  str('gpus'),
  str('health-cmd'),
  str('cidfile'),
  str('name'),
  bool('disable-content-trust'),
];

/** `run`'s own flags. */
export const RUN_FLAGS: readonly FlagSpec[] = [bool('detach', 'd'), bool('sig-proxy'), str('detach-keys'), ...CONTAINER_FLAGS];

/** `containerConfig`: the request, plus what the CLI itself needs (`-i`, `-t`, attach). */
export interface ParsedRun {
  readonly request: ContainerCreateRequest;
  readonly tty: boolean;
  readonly stdin: boolean;
}

/** An empty `network.EndpointSettings` (what the CLI sends per network). */
export function endpointSettings(): EndpointSettings {
  return { ipamConfig: null, links: null, aliases: null, networkId: '', endpointId: '', gateway: '', ipAddress: '', ipPrefixLen: 0, macAddress: '', driverOpts: null, ipamOperational: false };
}

const both = (f: FlagValues, a: string, b: string): string[] => [...f.list(a), ...f.list(b)];

/** `applyContainerOptions` + `parseNetworkAttachmentOpt` + `parseNetworkOpts`. */
function networkEndpoints(f: FlagValues, attachments: NetworkAttachment[]): Map<string, EndpointSettings> | string {
  const out = new Map<string, EndpointSettings>();
  const aliases = both(f, 'network-alias', 'net-alias');
  const links = f.list('link');
  const ip = f.string('ip');
  const ip6 = f.string('ip6');
  const linkLocal = f.list('link-local-ip');
  let userDefined = false;
  let builtIn = false;
  for (const [i, n] of attachments.entries()) {
    const isUser = !['default', 'bridge', 'host', 'none'].includes(n.target) && !n.target.startsWith('container:');
    if (isUser) userDefined = true;
    else builtIn = true;
    const epAliases = [...n.aliases];
    let epLinks: string[] = [];
    let ipv4 = '';
    let ipv6 = '';
    let lls: string[] = [];
    if (i === 0) {
      if (n.aliases.length > 0 && aliases.length > 0) return 'conflicting options: cannot specify both --network-alias and per-network alias';
      epAliases.push(...aliases);
      if (n.target !== 'default' && links.length > 0) epLinks = [...links];
      ipv4 = ip;
      ipv6 = ip6;
      lls = [...linkLocal];
    }
    if (n.target.trim() === '') return 'no name set for network';
    if (!isUser) {
      if (epAliases.length > 0) return 'network-scoped aliases are only supported for user-defined networks';
      if (epLinks.length > 0) return 'links are only supported for user-defined networks';
    }
    if (out.has(n.target)) return `network ${JSON.stringify(n.target)} is specified multiple times`;
    const ep = endpointSettings();
    if (epAliases.length > 0) ep.aliases = epAliases;
    if (n.driverOpts.size > 0) ep.driverOpts = Object.fromEntries(n.driverOpts);
    if (epLinks.length > 0) ep.links = epLinks;
    if (ipv4 !== '' || ipv6 !== '' || lls.length > 0) ep.ipamConfig = { ipv4Address: ipv4, ipv6Address: ipv6, linkLocalIps: lls };
    const empty = ep.aliases === null && ep.driverOpts === null && ep.links === null && ep.ipamConfig === null;
    if (i === 0 && attachments.length === 1 && empty) continue;
    out.set(n.target, ep);
  }
  if (userDefined && builtIn) return 'conflicting options: cannot attach both user-defined and non-user-defined network-modes';
  return out;
}

/** `parse(flags, copts)` for `image` and `args`; an error string is reported as `docker: <error>.` */
export function parseRunOptions(f: FlagValues, image: string, args: readonly string[]): ParsedRun | string {
  const mac = f.string('mac-address');
  if (mac !== '' && !isMac(mac)) return `${mac} is not a valid mac address`;
  const stdin = f.bool('interactive');
  const attach = f.list('attach');
  const ports = parsePortSpecs(f.list('publish'));
  if (typeof ports === 'string') return ports;
  for (const e of f.list('expose')) {
    if (e.includes(':')) return `invalid port format for --expose: ${e}`;
    const [port = '', proto = 'tcp'] = e.split('/');
    const r = parsePortRange(port);
    if (typeof r === 'string') return `invalid range format for --expose: ${e}, error: ${r}`;
    for (let p = r.start; p <= r.end; p++) if (!ports.exposed.includes(`${p}/${proto}`)) ports.exposed.push(`${p}/${proto}`);
  }
  const restart = parseRestartPolicy(f.string('restart'));
  if (typeof restart === 'string') return restart;
  if (f.bool('rm') && restart.name !== 'no') return 'Conflicting options: --restart and --rm';
  const attachments: NetworkAttachment[] = [];
  for (const v of both(f, 'network', 'net')) {
    const a = parseNetworkOpt(v);
    if (typeof a === 'string') return a;
    attachments.push(a);
  }
  const networkMode = attachments[0]?.target ?? 'default';
  const endpoints = networkEndpoints(f, attachments.length === 0 ? [{ target: 'default', aliases: [], driverOpts: new Map() }] : attachments);
  if (typeof endpoints === 'string') return endpoints;
  const entrypoint = f.string('entrypoint') !== '' ? [f.string('entrypoint')] : f.changed('entrypoint') ? [''] : null;
  const hostConfig: HostConfig = {
    networkMode,
    portBindings: ports.bindings,
    publishAllPorts: f.bool('publish-all'),
    dns: f.list('dns'),
    dnsSearch: f.list('dns-search'),
    dnsOptions: both(f, 'dns-option', 'dns-opt'),
    extraHosts: f.list('add-host').length === 0 ? null : f.list('add-host'),
    links: f.list('link').length === 0 ? null : f.list('link'),
    autoRemove: f.bool('rm'),
    restartPolicy: restart,
    privileged: f.bool('privileged'),
    capAdd: f.list('cap-add').length === 0 ? null : f.list('cap-add'),
  };
  const request: ContainerCreateRequest = {
    name: f.string('name'),
    config: {
      hostname: f.string('hostname'),
      domainname: f.string('domainname'),
      user: f.string('user'),
      attachStdin: attach.includes('stdin') || stdin,
      attachStdout: attach.length === 0 || attach.includes('stdout'),
      attachStderr: attach.length === 0 || attach.includes('stderr'),
      tty: f.bool('tty'),
      openStdin: stdin,
      stdinOnce: stdin && (attach.includes('stdin') || stdin),
      env: f.list('env').length === 0 ? null : f.list('env'),
      cmd: args.length === 0 ? null : [...args],
      image,
      workingDir: f.string('workdir'),
      entrypoint,
      labels: kvMap(f.list('label')),
      exposedPorts: ports.exposed,
      macAddress: mac,
      stopSignal: f.changed('stop-signal') ? f.string('stop-signal') : undefined,
      stopTimeout: f.changed('stop-timeout') ? f.int('stop-timeout', 10) : undefined,
    },
    hostConfig,
    endpoints,
  };
  return { request, tty: f.bool('tty'), stdin };
}
