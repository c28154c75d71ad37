/**
 * `docker ps` rows and `docker image inspect` documents as the daemon returns them.
 *
 * Models: moby 20.10 `daemon/list.go` `transformContainer` (`Command` = path plus args,
 * `Ports`: an exposed port without binding gives only its private port, each binding a row
 * with the host address and port; `Created` in whole seconds), `container/state.go`
 * `State.String` (`Up <duration>`, `Exited (<code>) <duration> ago`, `Created`, with go-units
 * `HumanDuration`), and `daemon/images/image_inspect.go` / `api/types.ImageInspect`.
 * Leaves out: sizes, mounts, labels filters, image history and layers.
 */
import type { Instant } from '../../engine/index.js';
import { dockerTime } from '../core/index.js';
import type { JsonValue } from '../docker-cli/go-json.js';
import { goMap } from '../docker-cli/go-json.js';
import { humanDuration } from '../docker-cli/formatter.js';
import type { ImageSpec } from '../images/index.js';
import type { Container } from './container.js';
import { splitPortKey } from './runconfig.js';

/** One port row of `types.Container.Ports`. */
export interface PortSummary {
  readonly ip: string;
  readonly privatePort: number;
  readonly publicPort: number;
  readonly type: string;
}

/** `types.Container` (the fields `docker ps` prints). */
export interface ContainerSummary {
  readonly id: string;
  /** Without the slash. */
  readonly names: readonly string[];
  readonly image: string;
  readonly imageId: string;
  readonly command: string;
  readonly created: Instant;
  readonly state: string;
  readonly status: string;
  readonly ports: readonly PortSummary[];
  readonly labels: Readonly<Record<string, string>>;
  readonly networks: readonly string[];
}

/** `State.String()` at `now`. */
export function stateString(c: Container, now: Instant): string {
  const s = c.state;
  switch (s.status) {
    case 'running':
      return `Up ${humanDuration(now - (s.startedAt ?? now))}`;
    case 'removing':
      return 'Removal In Progress';
    case 'created':
    case 'exited':
      if (s.startedAt === undefined) return 'Created';
      if (s.finishedAt === undefined) return '';
      return `Exited (${s.exitCode}) ${humanDuration(now - s.finishedAt)} ago`;
  }
}

export function containerSummary(c: Container, now: Instant): ContainerSummary {
  const ports: PortSummary[] = [];
  for (const [key, bindings] of c.networkSettings.ports) {
    const { port, proto } = splitPortKey(key);
    if (bindings === null || bindings.length === 0) ports.push({ ip: '', privatePort: port, publicPort: 0, type: proto });
    else for (const b of bindings) ports.push({ ip: b.hostIp, privatePort: port, publicPort: Number(b.hostPort), type: proto });
  }
  return {
    id: c.id,
    names: [c.shortName],
    image: c.config.image,
    imageId: c.image.id,
    command: [c.path, ...c.args].join(' '),
    created: c.created,
    state: c.state.status,
    status: stateString(c, now),
    ports,
    labels: c.config.labels,
    networks: [...c.networkSettings.networks.keys()],
  };
}

/** `docker image inspect` of a catalogue image. */
export function imageInspectJson(img: ImageSpec): JsonValue {
  const config = {
    Hostname: '',
    Domainname: '',
    User: '',
    AttachStdin: false,
    AttachStdout: false,
    AttachStderr: false,
    ...(img.exposedPorts.length === 0 ? {} : { ExposedPorts: goMap(img.exposedPorts.map(p => [p, {}])) }),
    Tty: false,
    OpenStdin: false,
    StdinOnce: false,
    Env: img.env === null ? null : [...img.env],
    Cmd: img.cmd === null ? null : [...img.cmd],
    Image: '',
    Volumes: null,
    WorkingDir: img.workingDir,
    Entrypoint: img.entrypoint === null ? null : [...img.entrypoint],
    OnBuild: null,
    Labels: goMap(Object.entries(img.labels)),
    ...(img.stopSignal === undefined ? {} : { StopSignal: img.stopSignal }),
  };
  return {
    Id: img.id,
    RepoTags: img.tags.map(t => `${img.repo}:${t}`),
    RepoDigests: [],
    Parent: '',
    Comment: '',
    Created: dockerTime(0),
    Container: '',
    DockerVersion: '20.10.24+dfsg1',
    Author: '',
    Config: config,
    Architecture: 'amd64',
    Os: 'linux',
    Size: 0,
    VirtualSize: 0,
    GraphDriver: { Data: null, Name: 'overlay2' },
    RootFS: { Type: 'layers', Layers: [] },
    Metadata: { LastTagTime: '0001-01-01T00:00:00Z' },
  };
}
