/**
 * The daemon's containers and their names: lookup by full id, exact name or unique id prefix,
 * name reservation, and the `adjective_surname` names of containers started without `--name`.
 *
 * Models: moby 20.10 `daemon/container.go` `GetContainer` (full id, then exact name with or
 * without its slash, then the truncindex prefix: `No such container: x`, or `Multiple IDs found
 * with provided prefix: x`), `daemon/names.go` `reserveName` (`Invalid container name (x), only
 * [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`, `Conflict. The container name "/x" is already in use
 * by container "<id>". You have to remove (or rename) that container to be able to reuse that
 * name.`), `daemon/list.go`'s newest-first order, and moby `pkg/namesgenerator`
 * (`GetRandomName(retry)`: a left word and a right word joined by `_`, never `boring_wozniak`, a
 * random digit appended on retries) with `daemon/names.go` `generateNewName` (six tries, then the
 * 12-character id), drawing from the seeded `container-names` stream.
 * Leaves out: links' extra names (`/web/db`), renaming, part of moby's list of surnames (about
 * two hundred of its ~240 are kept; the adjectives are the full 20.10 list).
 */
import type { Rng } from '../../engine/index.js';
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

const LEFT = [
  'admiring', 'adoring', 'affectionate', 'agitated', 'amazing', 'angry', 'awesome', 'beautiful', 'blissful', 'bold',
  'boring', 'brave', 'busy', 'charming', 'clever', 'cool', 'compassionate', 'competent', 'condescending', 'confident',
  'cranky', 'crazy', 'dazzling', 'determined', 'distracted', 'dreamy', 'eager', 'ecstatic', 'elastic', 'elated',
  'elegant', 'eloquent', 'epic', 'exciting', 'fervent', 'festive', 'flamboyant', 'focused', 'friendly', 'frosty',
  'funny', 'gallant', 'gifted', 'goofy', 'gracious', 'great', 'happy', 'hardcore', 'heuristic', 'hopeful',
  'hungry', 'infallible', 'inspiring', 'interesting', 'intelligent', 'jolly', 'jovial', 'keen', 'kind', 'laughing',
  'loving', 'lucid', 'magical', 'mystifying', 'modest', 'musing', 'naughty', 'nervous', 'nice', 'nifty',
  'nostalgic', 'objective', 'optimistic', 'peaceful', 'pedantic', 'pensive', 'practical', 'priceless', 'quirky', 'quizzical',
  'recursing', 'relaxed', 'reverent', 'romantic', 'sad', 'serene', 'sharp', 'silly', 'sleepy', 'stoic',
  'strange', 'stupefied', 'suspicious', 'sweet', 'tender', 'thirsty', 'trusting', 'unruffled', 'upbeat', 'vibrant',
  'vigilant', 'vigorous', 'wizardly', 'wonderful', 'xenodochial', 'youthful', 'zealous', 'zen',
];

const RIGHT = [
  'agnesi', 'albattani', 'allen', 'almeida', 'antonelli', 'archimedes', 'ardinghelli', 'aryabhata', 'austin', 'babbage',
  'banach', 'banzai', 'bardeen', 'bartik', 'bassi', 'beaver', 'bell', 'benz', 'bhabha', 'bhaskara',
  'black', 'blackburn', 'blackwell', 'bohr', 'booth', 'borg', 'bose', 'bouman', 'boyd', 'brahmagupta',
  'brattain', 'brown', 'buck', 'burnell', 'cannon', 'carson', 'cartwright', 'carver', 'cerf', 'chandrasekhar',
  'chaplygin', 'chatelet', 'chatterjee', 'chebyshev', 'cohen', 'chaum', 'clarke', 'colden', 'cori', 'cray',
  'curie', 'curran', 'darwin', 'davinci', 'dewdney', 'dhawan', 'diffie', 'dijkstra', 'dirac', 'driscoll',
  'dubinsky', 'easley', 'edison', 'einstein', 'elbakyan', 'elgamal', 'elion', 'ellis', 'engelbart', 'euclid',
  'euler', 'faraday', 'feistel', 'fermat', 'fermi', 'feynman', 'franklin', 'gagarin', 'galileo', 'galois',
  'ganguly', 'gates', 'gauss', 'germain', 'goldberg', 'goldstine', 'goldwasser', 'golick', 'goodall', 'gould',
  'greider', 'grothendieck', 'haibt', 'hamilton', 'haslett', 'hawking', 'hellman', 'heisenberg', 'hermann', 'herschel',
  'hertz', 'heyrovsky', 'hodgkin', 'hofstadter', 'hoover', 'hopper', 'hugle', 'hypatia', 'ishizaka', 'jackson',
  'jang', 'jemison', 'jennings', 'jepsen', 'johnson', 'joliot', 'jones', 'kalam', 'kapitsa', 'kare',
  'keldysh', 'keller', 'kepler', 'khayyam', 'khorana', 'kilby', 'kirch', 'knuth', 'kowalevski', 'lalande',
  'lamarr', 'lamport', 'leakey', 'leavitt', 'lederberg', 'lehmann', 'lewin', 'lichterman', 'liskov', 'lovelace',
  'lumiere', 'mahavira', 'margulis', 'matsumoto', 'maxwell', 'mayer', 'mccarthy', 'mcclintock', 'mclaren', 'mclean',
  'mcnulty', 'mendel', 'mendeleev', 'meitner', 'meninsky', 'merkle', 'mestorf', 'mirzakhani', 'montalcini', 'moore',
  'morse', 'murdock', 'moser', 'napier', 'nash', 'neumann', 'newton', 'nightingale', 'nobel', 'noether',
  'northcutt', 'noyce', 'panini', 'pare', 'pascal', 'pasteur', 'payne', 'perlman', 'pike', 'poincare',
  'poitras', 'proskuriakova', 'ptolemy', 'raman', 'ramanujan', 'ride', 'ritchie', 'rhodes', 'robinson', 'roentgen',
  'rosalind', 'rubin', 'saha', 'sammet', 'sanderson', 'satoshi', 'shamir', 'shannon', 'shaw', 'shirley',
  'shockley', 'shtern', 'sinoussi', 'snyder', 'solomon', 'spence', 'stonebraker', 'sutherland', 'swanson', 'swartz',
  'swirles', 'taussig', 'tereshkova', 'tesla', 'tharp', 'thompson', 'torvalds', 'tu', 'turing', 'varahamihira',
  'vaughan', 'villani', 'visvesvaraya', 'volhard', 'wescoff', 'wilbur', 'wiles', 'williams', 'williamson', 'wilson',
  'wing', 'wozniak', 'wright', 'wu', 'yalow', 'yonath', 'zhukovsky',
];

/** `GetRandomName(retry)`. */
export function randomName(rng: Rng, retry: number): string {
  for (;;) {
    const name = `${rng.pick(LEFT)}_${rng.pick(RIGHT)}`;
    // Steve Wozniak is not boring.
    if (name === 'boring_wozniak') continue;
    return retry > 0 ? `${name}${rng.int(10)}` : name;
  }
}

/** `generateNewName`: six tries against `taken`, then the short id. */
export function generateName(rng: Rng, taken: (name: string) => boolean, shortId: string): string {
  for (let i = 0; i < 6; i++) {
    const name = randomName(rng, i);
    if (!taken(name)) return name;
  }
  return shortId;
}
