/**
 * `POST /containers/create`: validating what the CLI sent, merging the image's config, naming
 * the container and recording the networks it will join.
 *
 * Models: moby 20.10 `daemon/create.go` (`containerCreate`: `verifyContainerSettings` with its
 * warnings, `verifyNetworkingConfig`: `Container cannot be connected to network endpoints: a, b`,
 * `invalid IPv4 address: x`; `create`: image lookup `No such image: x:latest`,
 * `mergeAndVerifyConfig`: `No command specified`, `newContainer`: id, name, hostname = first 12
 * id characters or, with `--network host`, the host's), `daemon/commit.go` `merge` (user values
 * win; image env, exposed ports and labels fill in; the image's Cmd only when neither Cmd nor
 * Entrypoint was given) and `getEntrypointAndArgs`. Nothing is registered when any check fails.
 * Leaves out: platforms, volumes, log drivers, resource limits, `--cidfile`.
 */
import { randomId64 } from '../../engine/index.js';
import { parseIpv4 } from '../../packet/index.js';
import { err, invalidParameter, notFound, ok, type Result } from '../errors.js';
import { ImageCatalogue } from '../images/index.js';
import { Container, type ContainerConfig, type EndpointSettings, type HostConfig } from './container.js';
import type { DaemonContext } from './context.js';
import { initNetworkSettings } from './container-network.js';
import { isHost, validateNetMode } from './runconfig.js';
import { generateName } from './container-store.js';

export interface ContainerCreateRequest {
  /** `--name`, or '' for a generated one. */
  readonly name: string;
  readonly config: ContainerConfig;
  readonly hostConfig: HostConfig;
  /** `NetworkingConfig.EndpointsConfig`, by network name. */
  readonly endpoints: ReadonlyMap<string, EndpointSettings>;
}

export interface ContainerCreateResponse {
  readonly id: string;
  readonly warnings: readonly string[];
}

/** `verifyNetworkingConfig`. */
function verifyNetworkingConfig(endpoints: ReadonlyMap<string, EndpointSettings>): Result<void> {
  if (endpoints.size > 1) return err('system', `Container cannot be connected to network endpoints: ${[...endpoints.keys()].join(', ')}`);
  for (const v of endpoints.values()) {
    const ip = v.ipamConfig?.ipv4Address ?? '';
    if (ip !== '' && parseIpv4(ip) === undefined) return err('system', `invalid IPv4 address: ${ip}`);
  }
  return ok(undefined);
}

/** `merge(userConf, imageConf)`. */
function merge(user: ContainerConfig, c: DaemonContext, imageRef: string): Result<ContainerConfig> {
  const found = c.images.local(imageRef);
  if (found === undefined) return notFound(`No such image: ${ImageCatalogue.familiarString(imageRef)}`);
  const img = found.image;
  const out: ContainerConfig = { ...user, labels: { ...user.labels }, exposedPorts: [...user.exposedPorts] };
  for (const p of img.exposedPorts) if (!out.exposedPorts.includes(p)) out.exposedPorts.push(p);
  if (out.env === null || out.env.length === 0) out.env = img.env === null ? null : [...img.env];
  else for (const e of img.env ?? []) if (!out.env.some(u => u.split('=')[0] === e.split('=')[0])) out.env.push(e);
  for (const [k, v] of Object.entries(img.labels)) if (!(k in out.labels)) out.labels[k] = v;
  if (out.entrypoint === null || out.entrypoint.length === 0) {
    if (out.cmd === null || out.cmd.length === 0) out.cmd = img.cmd === null ? null : [...img.cmd];
    if (out.entrypoint === null) out.entrypoint = img.entrypoint === null ? null : [...img.entrypoint];
  }
  if (out.workingDir === '') out.workingDir = img.workingDir;
  if (out.stopSignal === undefined) out.stopSignal = img.stopSignal;
  if (out.entrypoint !== null && out.entrypoint.length === 1 && out.entrypoint[0] === '') out.entrypoint = null;
  if ((out.entrypoint ?? []).length === 0 && (out.cmd ?? []).length === 0) return invalidParameter('No command specified');
  return ok(out);
}

/** `getEntrypointAndArgs`: what runs as PID 1. */
function entrypointAndArgs(config: ContainerConfig): { path: string; args: string[] } {
  const argv = [...(config.entrypoint ?? []), ...(config.cmd ?? [])];
  return { path: argv[0] ?? '', args: argv.slice(1) };
}

/** `containerCreate`. */
export function createContainer(ctx: DaemonContext, req: ContainerCreateRequest): Result<ContainerCreateResponse> {
  const warnings: string[] = [];
  const mode = validateNetMode(req.config, req.hostConfig);
  if (!mode.ok) return mode;
  if (isHost(req.hostConfig.networkMode) && req.hostConfig.portBindings.size > 0) warnings.push('Published ports are discarded when using host network mode');
  const nets = verifyNetworkingConfig(req.endpoints);
  if (!nets.ok) return nets;
  const merged = merge(req.config, ctx, req.config.image);
  if (!merged.ok) return merged;
  const config = merged.value;
  const image = ctx.images.local(req.config.image)!.image;
  const id = randomId64(ctx.ids);
  const wanted = req.name === '' ? generateName(ctx.names, n => ctx.containers.nameTaken(n), id.slice(0, 12)) : req.name;
  const reserved = ctx.containers.reserveName(id, wanted);
  if (!reserved.ok) return reserved;
  if (config.hostname === '') config.hostname = isHost(req.hostConfig.networkMode) ? ctx.host.hostname : id.slice(0, 12);
  const { path, args } = entrypointAndArgs(config);
  const c = new Container({ id, name: reserved.value, created: ctx.now(), path, args, config, hostConfig: req.hostConfig, image });
  initNetworkSettings(ctx, c, req.endpoints);
  ctx.containers.add(c);
  return ok({ id, warnings });
}
