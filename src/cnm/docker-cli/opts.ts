/**
 * The docker CLI's value parsers: published ports, `--add-host`, `--dns`, `--link`, labels,
 * environment, restart policies and the `--network` option.
 *
 * Models: docker/go-connections `nat.ParsePortSpecs`/`ParsePortSpec`/`ParsePortRange`
 * (`Invalid containerPort: x`, `Invalid hostPort: x`, `Invalid ip address: x`, `Invalid proto:
 * x`, `Invalid ranges specified for container and host Ports: a and b`, `No port specified:
 * x<empty>`), docker/cli 20.10 `opts/opts.go` (`ValidateIPAddress`: `x is not an ip address`;
 * `ValidateExtraHost`: `bad format for add-host: "x"`, `invalid IP address in add-host: "x"`;
 * `ValidateLabel`: `bad attribute format: x`; `ValidateEnv`), `opts/network.go` `NetworkOpt.Set`
 * (`name=x,alias=y,driver-opt=k=v`, `invalid field key x`, `network name/id is not specified`),
 * `opts/parse.go` `ParseRestartPolicy`, and `cli/command/container/opts.go`
 * `convertToStandardNotation` (`--publish published=8080,target=80`).
 * Leaves out: IPv6 bracket forms beyond `[::1]:80:80`, SCTP beyond its name.
 */

export type Check = { ok: true; value: string } | { ok: false; error: string };

const good = (value: string): Check => ({ ok: true, value });
const bad = (error: string): Check => ({ ok: false, error });

const V4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/** `net.ParseIP` accepts it (IPv4 dotted quad, or an IPv6 text form). */
export function isIp(s: string): boolean {
  if (V4.test(s)) return true;
  if (!s.includes(':') || !/^[0-9a-fA-F:.]+$/.test(s)) return false;
  const dbl = s.split('::').length - 1;
  if (dbl > 1) return false;
  const groups = s.split(':').filter(g => g !== '');
  return groups.every(g => /^[0-9a-fA-F]{1,4}$/.test(g) || V4.test(g)) && (dbl === 1 ? groups.length < 8 : groups.length === 8);
}

/** `opts.ValidateIPAddress`. */
export function validateIpAddress(val: string): Check {
  const v = val.trim();
  return isIp(v) ? good(v) : bad(`${val} is not an ip address`);
}

/** `opts.ValidateExtraHost`. */
export function validateExtraHost(val: string): Check {
  const i = val.indexOf(':');
  if (i <= 0) return bad(`bad format for add-host: ${JSON.stringify(val)}`);
  const ip = val.slice(i + 1);
  if (ip !== 'host-gateway' && !isIp(ip.trim())) return bad(`invalid IP address in add-host: ${JSON.stringify(ip)}`);
  return good(val);
}

/** `opts.ValidateLink` (`opts.ParseLink`). */
export function validateLink(val: string): Check {
  if (val === '') return bad('empty string specified for links');
  if (val.split(':').length > 2) return bad(`bad format for links: ${val}`);
  return good(val);
}

/** `opts.ValidateLabel`. */
export function validateLabel(val: string): Check {
  return val.includes('=') ? good(val) : bad(`bad attribute format: ${val}`);
}

/** `opts.ValidateEnv` (the simulated CLI has no environment to copy values from). */
export function validateEnv(val: string): Check {
  return val.split('=')[0] === '' ? bad(`invalid environment variable: ${val}`) : good(val);
}

/** `opts.ValidateMACAddress`. */
export function isMac(val: string): boolean {
  return /^([0-9a-fA-F]{2}[:-]){5}[0-9a-fA-F]{2}$/.test(val);
}

/** `nat.ParsePortRange`. */
export function parsePortRange(ports: string): { start: number; end: number } | string {
  if (ports === '') return 'Empty string specified for ports.';
  const num = (s: string): number | undefined => (/^\d+$/.test(s) && Number(s) <= 65535 ? Number(s) : undefined);
  if (!ports.includes('-')) {
    const p = num(ports);
    return p === undefined ? `strconv.ParseUint: parsing ${JSON.stringify(ports)}: invalid syntax` : { start: p, end: p };
  }
  const [a = '', b = ''] = ports.split('-');
  const start = num(a);
  const end = num(b);
  if (start === undefined || end === undefined) return `strconv.ParseUint: parsing ${JSON.stringify(start === undefined ? a : b)}: invalid syntax`;
  if (end < start) return `Invalid range specified for the Port: ${ports}`;
  return { start, end };
}

/** One parsed `-p`: the container port key and the binding. */
export interface PortMapping {
  readonly port: string;
  readonly hostIp: string;
  readonly hostPort: string;
}

/** `nat.ParsePortSpec`. */
export function parsePortSpec(raw: string): PortMapping[] | string {
  const parts = raw.split(':');
  const n = parts.length;
  let containerPort = parts[n - 1]!;
  let rawIp = '';
  let hostPort = '';
  if (n === 2) hostPort = parts[0]!;
  else if (n === 3) [rawIp = '', hostPort = ''] = parts;
  else if (n > 3) {
    rawIp = parts.slice(0, n - 2).join(':');
    hostPort = parts[n - 2]!;
  }
  let proto = 'tcp';
  const slash = containerPort.indexOf('/');
  if (slash !== -1) {
    proto = containerPort.slice(slash + 1);
    containerPort = containerPort.slice(0, slash);
  }
  const ip = rawIp.startsWith('[') && rawIp.endsWith(']') ? rawIp.slice(1, -1) : rawIp;
  if (ip !== '' && !isIp(ip)) return `Invalid ip address: ${ip}`;
  if (containerPort === '') return `No port specified: ${raw}<empty>`;
  const cp = parsePortRange(containerPort);
  if (typeof cp === 'string') return `Invalid containerPort: ${containerPort}`;
  let hp = { start: 0, end: 0 };
  if (hostPort !== '') {
    const h = parsePortRange(hostPort);
    if (typeof h === 'string') return `Invalid hostPort: ${hostPort}`;
    hp = h;
  }
  if (hostPort !== '' && cp.end - cp.start !== hp.end - hp.start && cp.end !== cp.start) return `Invalid ranges specified for container and host Ports: ${containerPort} and ${hostPort}`;
  const p = proto.toLowerCase();
  if (p !== 'tcp' && p !== 'udp' && p !== 'sctp') return `Invalid proto: ${proto}`;
  const out: PortMapping[] = [];
  for (let i = 0; i <= cp.end - cp.start; i++) {
    let host = hostPort === '' ? '' : String(hp.start + i);
    if (cp.start === cp.end && hp.start !== hp.end) host = `${host}-${hp.end}`;
    out.push({ port: `${cp.start + i}/${p}`, hostIp: ip, hostPort: host });
  }
  return out;
}

/** `convertToStandardNotation` + `nat.ParsePortSpecs`: exposed ports and bindings in the order given. */
export function parsePortSpecs(specs: readonly string[]): { exposed: string[]; bindings: Map<string, { hostIp: string; hostPort: string }[]> } | string {
  const exposed: string[] = [];
  const bindings = new Map<string, { hostIp: string; hostPort: string }[]>();
  for (const raw of specs) {
    let spec = raw;
    if (raw.includes('=')) {
      const params = new Map([['protocol', 'tcp']]);
      for (const param of raw.split(',')) {
        const kv = param.split('=');
        if (kv.length < 2) return `invalid publish opts format (should be name=value but got '${param}')`;
        params.set(kv[0]!, kv[1]!);
      }
      spec = `${params.get('published') ?? ''}:${params.get('target') ?? ''}/${params.get('protocol') ?? 'tcp'}`;
    }
    const mappings = parsePortSpec(spec);
    if (typeof mappings === 'string') return mappings;
    for (const m of mappings) {
      if (!exposed.includes(m.port)) exposed.push(m.port);
      bindings.set(m.port, [...(bindings.get(m.port) ?? []), { hostIp: m.hostIp, hostPort: m.hostPort }]);
    }
  }
  return { exposed, bindings };
}

/** `opts.ParseRestartPolicy`. */
export function parseRestartPolicy(policy: string): { name: string; maximumRetryCount: number } | string {
  if (policy === '') return { name: 'no', maximumRetryCount: 0 };
  const [name = '', count, extra] = policy.split(':');
  if (extra !== undefined) return `invalid restart policy format`;
  if (count !== undefined) {
    if (name !== 'on-failure') return `maximum retry count cannot be used with restart policy '${name}'`;
    if (!/^\d+$/.test(count)) return `maximum retry count must be an integer`;
    return { name, maximumRetryCount: Number(count) };
  }
  if (!['no', 'always', 'unless-stopped', 'on-failure'].includes(name)) return `invalid restart policy ${name}`;
  return { name, maximumRetryCount: 0 };
}

/** One `--network` value (`NetworkAttachmentOpts`). */
export interface NetworkAttachment {
  readonly target: string;
  readonly aliases: string[];
  readonly driverOpts: Map<string, string>;
}

/** `NetworkOpt.Set`. */
export function parseNetworkOpt(value: string): NetworkAttachment | string {
  if (!/\w+=\w+(,\w+=\w+)*/.test(value)) return { target: value, aliases: [], driverOpts: new Map() };
  const out: NetworkAttachment = { target: '', aliases: [], driverOpts: new Map() };
  let target = '';
  for (const field of value.split(',')) {
    const eq = field.indexOf('=');
    if (eq === -1) return `invalid field ${field}`;
    const key = field.slice(0, eq).trim().toLowerCase();
    const v = field.slice(eq + 1).trim().toLowerCase();
    if (key === 'name') target = v;
    else if (key === 'alias') out.aliases.push(v);
    else if (key === 'driver-opt') {
      const i = v.indexOf('=');
      if (i === -1) return `invalid key value pair format in driver options`;
      out.driverOpts.set(v.slice(0, i).trim().toLowerCase(), v.slice(i + 1).trim().toLowerCase());
    } else return `invalid field key ${key}`;
  }
  if (target === '') return 'network name/id is not specified';
  return { ...out, target };
}

/** `opts.ConvertKVStringsToMap`. */
export function kvMap(list: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const kv of list) {
    const i = kv.indexOf('=');
    if (i === -1) out[kv] = '';
    else out[kv.slice(0, i)] = kv.slice(i + 1);
  }
  return out;
}

/** `dns.IsLocalhost`: 127.0.0.0/8 and ::1. */
export function isLocalhost(ip: string): boolean {
  return /^127\./.test(ip) || ip === '::1';
}
