/**
 * Images as the daemon sees them: a reference (`busybox`, `nginx:1.25`, `docker.io/library/
 * redis:latest`, an id prefix) resolves to an image config (default command, entrypoint,
 * environment, exposed ports, stop signal) plus the few files the simulated programs read.
 *
 * Models: distribution/reference `ParseNormalizedNamed` / `FamiliarString` (`busybox` is
 * `docker.io/library/busybox:latest`, shown as `busybox:latest`; names must be lowercase:
 * `invalid reference format: repository name must be lowercase`), moby's image store lookup by
 * reference or id prefix, and the pull a missing image triggers, which fails in a simulator
 * without registries the way Docker Hub answers: `pull access denied for x, repository does not
 * exist or may require 'docker login': denied: requested access to the resource is denied`, or
 * for a known repository with an unknown tag `manifest for busybox:9 not found: manifest
 * unknown: manifest unknown`.
 * Leaves out: layers, digests of manifests, platforms, `docker pull`/`push`/`build`.
 */
import { createHash } from 'node:crypto';

/** One image of the catalogue. */
export interface ImageSpec {
  /** Familiar repository name (`busybox`, `nginx`). */
  readonly repo: string;
  readonly tags: readonly string[];
  /** `sha256:<64 hex>`; derived from the name when not given. */
  readonly id: string;
  readonly cmd: readonly string[] | null;
  readonly entrypoint: readonly string[] | null;
  readonly env: readonly string[] | null;
  /** `80/tcp` style, as `EXPOSE` records them. */
  readonly exposedPorts: readonly string[];
  readonly workingDir: string;
  /** `STOPSIGNAL` (SIGTERM when absent). */
  readonly stopSignal?: string;
  readonly labels: Readonly<Record<string, string>>;
  /** Files the image ships that simulated programs read (`/www/index.html`). */
  readonly files: Readonly<Record<string, string>>;
  /** Program names the image adds to the shared userland (`nginx`, `redis-server`). */
  readonly binaries: readonly string[];
  /** One line on what runs, for documentation and `docker image ls`-like listings. */
  readonly description: string;
}

export type ImageLookup = { readonly ok: true; readonly image: ImageSpec; readonly ref: string } | { readonly ok: false; readonly error: string; readonly kind: 'invalid' | 'pull' };

/** A stable image id for a catalogue entry without a recorded one. */
export function imageId(label: string): string {
  return `sha256:${createHash('sha256').update(`cnmsim image ${label}`).digest('hex')}`;
}

export interface ParsedReference {
  /** `busybox`, `library/busybox` shortened as Docker prints it. */
  readonly familiar: string;
  readonly tag: string;
  readonly digest: string | undefined;
  /** A registry other than Docker Hub (`myreg.io:5000`), unreachable from a simulated host. */
  readonly registry: string | undefined;
}

const NAME_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;

/** `reference.ParseNormalizedNamed` plus `TagNameOnly`, or the error text. */
export function parseReference(ref: string): ParsedReference | string {
  if (ref === '') return 'invalid reference format';
  let rest = ref;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at !== -1) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!/^sha256:[0-9a-f]{64}$/.test(digest)) return 'invalid reference format';
  }
  let tag = 'latest';
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) return 'invalid reference format';
  }
  if (/[A-Z]/.test(rest)) return 'invalid reference format: repository name must be lowercase';
  let parts = rest.split('/');
  let registry: string | undefined;
  if (parts.length > 1 && (parts[0]!.includes('.') || parts[0]!.includes(':') || parts[0] === 'localhost')) {
    if (parts[0] !== 'docker.io' && parts[0] !== 'index.docker.io') registry = parts[0];
    parts = parts.slice(1);
  }
  if (parts.length === 2 && parts[0] === 'library') parts = parts.slice(1);
  if (parts.length === 0 || !parts.every(p => NAME_COMPONENT.test(p))) return 'invalid reference format';
  const path = parts.join('/');
  return { familiar: registry === undefined ? path : `${registry}/${path}`, tag, digest, registry };
}

/** The catalogue: lookup by reference or id, and the errors a pull would give. */
export class ImageCatalogue {
  readonly #images: readonly ImageSpec[];

  constructor(images: readonly ImageSpec[]) {
    this.#images = images;
  }

  all(): readonly ImageSpec[] {
    return this.#images;
  }

  /** By id (`sha256:...`, full or a 12+ character prefix) or `repo:tag`, without pulling. */
  local(ref: string): { image: ImageSpec; ref: string } | undefined {
    const bare = ref.startsWith('sha256:') ? ref.slice(7) : ref;
    if (/^[0-9a-f]{12,64}$/.test(bare)) {
      const byId = this.#images.find(i => i.id.slice(7).startsWith(bare));
      if (byId !== undefined) return { image: byId, ref };
    }
    const p = parseReference(ref);
    if (typeof p === 'string') return undefined;
    const image = this.#images.find(i => i.repo === p.familiar && i.tags.includes(p.tag));
    return image === undefined ? undefined : { image, ref };
  }

  /** `docker run`'s view: local, or what pulling it would answer. */
  lookup(ref: string): ImageLookup {
    const found = this.local(ref);
    if (found !== undefined) return { ok: true, ...found };
    const p = parseReference(ref);
    if (typeof p === 'string') return { ok: false, kind: 'invalid', error: p };
    if (p.registry !== undefined) {
      const host = p.registry.replace(/:\d+$/, '');
      return { ok: false, kind: 'pull', error: `Get "https://${p.registry}/v2/": dial tcp: lookup ${host}: no such host` };
    }
    const known = this.#images.some(i => i.repo === p.familiar);
    if (known) return { ok: false, kind: 'pull', error: `manifest for ${p.familiar}:${p.tag} not found: manifest unknown: manifest unknown` };
    return { ok: false, kind: 'pull', error: `pull access denied for ${p.familiar}, repository does not exist or may require 'docker login': denied: requested access to the resource is denied` };
  }

  /** `reference.FamiliarString(TagNameOnly(ref))`: `busybox:latest`. */
  static familiarString(ref: string): string {
    const p = parseReference(ref);
    if (typeof p === 'string') return ref;
    return p.digest === undefined ? `${p.familiar}:${p.tag}` : `${p.familiar}@${p.digest}`;
  }
}
