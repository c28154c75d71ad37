/**
 * `docker inspect CONTAINER`: the `types.ContainerJSON` document, field for field in Docker
 * 20.10's order, and `docker ps`'s view of a container.
 *
 * Models: moby 20.10 `daemon/inspect.go` (`containerInspectCurrent`, `getDefaultNetworkSettings`:
 * the top-level `IPAddress`/`Gateway`/`MacAddress`/`EndpointID` come from the `bridge` network
 * only), `api/types/types.go` (`ContainerJSONBase`, `NetworkSettings`), `container.Config` and
 * `container.HostConfig` JSON tags (with `omitempty` for `ExposedPorts` and `StopSignal`), and
 * `daemon/list.go` for `docker ps` (`Command` = path and args, `Ports` from the port map). The
 * reference capture `01-default-bridge/ctr-c1-inspect.json` is the template for the fields
 * cnmsim does not model (resources, security, graph driver), which keep the values Docker
 * reports for a default container.
 * Leaves out: mounts, health, real graph driver layer ids (they are derived from the container id).
 */
import { createHash } from 'node:crypto';
import { goMap, type JsonValue } from '../docker-cli/go-json.js';
import { dockerTime } from '../core/index.js';
import type { Container, EndpointSettings } from './container.js';
import { parseLink } from './runconfig.js';

const ZERO_TIME = '0001-01-01T00:00:00Z';

const hexOf = (s: string): string => createHash('sha256').update(s).digest('hex');

function endpointJson(es: EndpointSettings): JsonValue {
  const ipam = es.ipamConfig;
  let ipamJson: JsonValue = null;
  if (ipam !== null) {
    const o: { [k: string]: JsonValue } = {};
    if (ipam.ipv4Address !== '') o['IPv4Address'] = ipam.ipv4Address;
    if (ipam.ipv6Address !== '') o['IPv6Address'] = ipam.ipv6Address;
    if (ipam.linkLocalIps.length > 0) o['LinkLocalIPs'] = ipam.linkLocalIps;
    ipamJson = o;
  }
  return {
    IPAMConfig: ipamJson,
    Links: es.links,
    Aliases: es.aliases,
    NetworkID: es.networkId,
    EndpointID: es.endpointId,
    Gateway: es.gateway,
    IPAddress: es.ipAddress,
    IPPrefixLen: es.ipPrefixLen,
    IPv6Gateway: '',
    GlobalIPv6Address: '',
    GlobalIPv6PrefixLen: 0,
    MacAddress: es.macAddress,
    DriverOpts: es.driverOpts === null ? null : goMap(Object.entries(es.driverOpts)),
  };
}

/** `NetworkSettings` as inspect prints it. */
export function networkSettingsJson(c: Container): JsonValue {
  const ns = c.networkSettings;
  const bridge = ns.networks.get('bridge');
  const ports = goMap([...ns.ports].map(([k, v]) => [k, v === null ? null : v.map(b => ({ HostIp: b.hostIp, HostPort: b.hostPort }))]));
  return {
    Bridge: '',
    SandboxID: ns.sandboxId,
    HairpinMode: false,
    LinkLocalIPv6Address: '',
    LinkLocalIPv6PrefixLen: 0,
    Ports: ports,
    SandboxKey: ns.sandboxKey,
    SecondaryIPAddresses: null,
    SecondaryIPv6Addresses: null,
    EndpointID: bridge?.endpointId ?? '',
    Gateway: bridge?.gateway ?? '',
    GlobalIPv6Address: '',
    GlobalIPv6PrefixLen: 0,
    IPAddress: bridge?.ipAddress ?? '',
    IPPrefixLen: bridge?.ipPrefixLen ?? 0,
    IPv6Gateway: '',
    MacAddress: bridge?.macAddress ?? '',
    Networks: goMap([...ns.networks].map(([k, v]) => [k, endpointJson(v)])),
  };
}

function hostConfigJson(c: Container): JsonValue {
  const hc = c.hostConfig;
  const links = hc.links === null ? null : hc.links.map(l => {
    const p = parseLink(l);
    return typeof p === 'string' ? l : `/${p.name}:${c.name}/${p.alias}`;
  });
  return {
    Binds: null,
    ContainerIDFile: '',
    LogConfig: { Type: 'json-file', Config: {} },
    NetworkMode: hc.networkMode,
    PortBindings: goMap([...hc.portBindings].map(([k, v]) => [k, v.map(b => ({ HostIp: b.hostIp, HostPort: b.hostPort }))])),
    RestartPolicy: { Name: hc.restartPolicy.name, MaximumRetryCount: hc.restartPolicy.maximumRetryCount },
    AutoRemove: hc.autoRemove,
    VolumeDriver: '',
    VolumesFrom: null,
    CapAdd: hc.capAdd,
    CapDrop: null,
    CgroupnsMode: 'host',
    Dns: hc.dns,
    DnsOptions: hc.dnsOptions,
    DnsSearch: hc.dnsSearch,
    ExtraHosts: hc.extraHosts,
    GroupAdd: null,
    IpcMode: 'private',
    Cgroup: '',
    Links: links,
    OomScoreAdj: 0,
    PidMode: '',
    Privileged: hc.privileged,
    PublishAllPorts: hc.publishAllPorts,
    ReadonlyRootfs: false,
    SecurityOpt: null,
    UTSMode: '',
    UsernsMode: '',
    ShmSize: 67108864,
    Runtime: 'runc',
    ConsoleSize: [0, 0],
    Isolation: '',
    CpuShares: 0,
    Memory: 0,
    NanoCpus: 0,
    CgroupParent: '',
    BlkioWeight: 0,
    BlkioWeightDevice: [],
    BlkioDeviceReadBps: null,
    BlkioDeviceWriteBps: null,
    BlkioDeviceReadIOps: null,
    BlkioDeviceWriteIOps: null,
    CpuPeriod: 0,
    CpuQuota: 0,
    CpuRealtimePeriod: 0,
    CpuRealtimeRuntime: 0,
    CpusetCpus: '',
    CpusetMems: '',
    Devices: [],
    DeviceCgroupRules: null,
    DeviceRequests: null,
    KernelMemory: 0,
    KernelMemoryTCP: 0,
    MemoryReservation: 0,
    MemorySwap: 0,
    MemorySwappiness: null,
    OomKillDisable: false,
    PidsLimit: null,
    Ulimits: null,
    CpuCount: 0,
    CpuPercent: 0,
    IOMaximumIOps: 0,
    IOMaximumBandwidth: 0,
    MaskedPaths: ['/proc/asound', '/proc/acpi', '/proc/kcore', '/proc/keys', '/proc/latency_stats', '/proc/timer_list', '/proc/timer_stats', '/proc/sched_debug', '/proc/scsi', '/sys/firmware'],
    ReadonlyPaths: ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'],
  };
}

function configJson(c: Container): JsonValue {
  const k = c.config;
  const out: { [key: string]: JsonValue } = {
    Hostname: k.hostname,
    Domainname: k.domainname,
    User: k.user,
    AttachStdin: k.attachStdin,
    AttachStdout: k.attachStdout,
    AttachStderr: k.attachStderr,
  };
  if (k.exposedPorts.length > 0) out['ExposedPorts'] = goMap(k.exposedPorts.map(p => [p, {}]));
  Object.assign(out, { Tty: k.tty, OpenStdin: k.openStdin, StdinOnce: k.stdinOnce, Env: k.env, Cmd: k.cmd, Image: k.image, Volumes: null, WorkingDir: k.workingDir, Entrypoint: k.entrypoint });
  if (k.macAddress !== '') out['MacAddress'] = k.macAddress;
  out['OnBuild'] = null;
  out['Labels'] = goMap(Object.entries(k.labels));
  if (k.stopSignal !== undefined) out['StopSignal'] = k.stopSignal;
  if (k.stopTimeout !== undefined) out['StopTimeout'] = k.stopTimeout;
  return out;
}

/** `types.ContainerJSON`. */
export function containerInspectJson(c: Container): JsonValue {
  const s = c.state;
  const dir = `/var/lib/docker/containers/${c.id}`;
  const layer = hexOf(`layer ${c.id}`);
  const imageLayer = hexOf(`layer ${c.image.id}`);
  return {
    Id: c.id,
    Created: dockerTime(c.created),
    Path: c.path,
    Args: [...c.args],
    State: {
      Status: s.status === 'removing' ? 'removing' : s.status,
      Running: s.status === 'running',
      Paused: false,
      Restarting: false,
      OOMKilled: false,
      Dead: false,
      Pid: s.pid,
      ExitCode: s.exitCode,
      Error: s.error,
      StartedAt: s.startedAt === undefined ? ZERO_TIME : dockerTime(s.startedAt),
      FinishedAt: s.finishedAt === undefined ? ZERO_TIME : dockerTime(s.finishedAt),
    },
    Image: c.image.id,
    ResolvConfPath: `${dir}/resolv.conf`,
    HostnamePath: `${dir}/hostname`,
    HostsPath: `${dir}/hosts`,
    LogPath: `${dir}/${c.id}-json.log`,
    Name: c.name,
    RestartCount: c.restartCount,
    Driver: 'overlay2',
    Platform: 'linux',
    MountLabel: '',
    ProcessLabel: '',
    AppArmorProfile: '',
    ExecIDs: null,
    HostConfig: hostConfigJson(c),
    GraphDriver: {
      Data: {
        LowerDir: `/var/lib/docker/overlay2/${layer}-init/diff:/var/lib/docker/overlay2/${imageLayer}/diff`,
        MergedDir: `/var/lib/docker/overlay2/${layer}/merged`,
        UpperDir: `/var/lib/docker/overlay2/${layer}/diff`,
        WorkDir: `/var/lib/docker/overlay2/${layer}/work`,
      },
      Name: 'overlay2',
    },
    Mounts: [],
    Config: configJson(c),
    NetworkSettings: networkSettingsJson(c),
  };
}
