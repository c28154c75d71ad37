/**
 * The daemon's containers: lookup by full id, exact name or unique id prefix, and name
 * reservation.
 *
 * Models: moby 20.10 `daemon/container.go` `GetContainer` (full id, then exact name with or
 * without its slash, then the truncindex prefix: `No such container: x`, or `Multiple IDs found
 * with provided prefix: x`), `daemon/names.go` `reserveName` (`Invalid container name (x), only
 * [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`, `Conflict. The container name "/x" is already in use
 * by container "<id>". You have to remove (or rename) that container to be able to reuse that
 * name.`) and `daemon/list.go`'s newest-first order.
 * Leaves out: links' extra names (`/web/db`), renaming.
 */
import { conflict, err, invalidParameter, notFound, ok, type Result } from '../errors.js';
import type { Container } from './container.js';

const VALID_NAME = /^\/?[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

export class ContainerStore {
  readonly #byId = new Map<string, Container>();
  /** `/name` -> id. */
  readonly #names = new Map<string, string>();
  /** Creation order, for `docker ps` (newest first). */
  readonly #order: Container[] = [];

  /** `GetContainer(prefixOrName)`. */
  get(ref: string): Result<Container> {
    if (ref === '') return invalidParameter('invalid container name or ID: value is empty');
    const byId = this.#byId.get(ref);
    if (byId !== undefined) return ok(byId);
    const named = this.#names.get(ref.startsWith('/') ? ref : `/${ref}`);
    if (named !== undefined) return ok(this.#byId.get(named)!);
    if (!/^[0-9a-f]+$/.test(ref)) return notFound(`No such container: ${ref}`);
    const matches = this.#order.filter(c => c.id.startsWith(ref));
    if (matches.length === 1) return ok(matches[0]!);
    if (matches.length > 1) return err('system', `Multiple IDs found with provided prefix: ${ref}`);
    return notFound(`No such container: ${ref}`);
  }

  /** Whether `name` (without slash) is taken. */
  nameTaken(name: string): boolean {
    return this.#names.has(`/${name}`);
  }

  /** `reserveName`: checks and records `name` (without slash) for `id`. */
  reserveName(id: string, name: string): Result<string> {
    if (!VALID_NAME.test(name)) return invalidParameter(`Invalid container name (${name}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`);
    const full = name.startsWith('/') ? name : `/${name}`;
    const holder = this.#names.get(full);
    if (holder !== undefined && holder !== id) {
      return conflict(`Conflict. The container name "${full}" is already in use by container "${holder}". You have to remove (or rename) that container to be able to reuse that name.`);
    }
    this.#names.set(full, id);
    return ok(full);
  }

  releaseName(name: string): void {
    this.#names.delete(name);
  }

  add(c: Container): void {
    this.#byId.set(c.id, c);
    this.#order.push(c);
  }

  remove(c: Container): void {
    this.#byId.delete(c.id);
    this.#names.delete(c.name);
    const i = this.#order.indexOf(c);
    if (i !== -1) this.#order.splice(i, 1);
  }

  /** Every container, oldest first. */
  all(): readonly Container[] {
    return this.#order;
  }

  byId(id: string): Container | undefined {
    return this.#byId.get(id);
  }
}
