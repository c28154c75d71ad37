/**
 * What a `docker:` step names into existence, read from its words without running it: the
 * container of `docker run/create --name X`, the network of `docker network create X`, the
 * service of `docker service create --name X`. The loader uses these names to check that an
 * expectation's `from:`, `to:` and `in:` refer to something the scenario creates.
 *
 * Models: the docker CLI's argument grammar (cobra/pflag as used by docker/cli,
 * `cli/command/container/opts.go`, `cli/command/network/create.go`,
 * `cli/command/service/opts.go`): global options before the command, then options and positional
 * arguments; `--flag value` or `--flag=value`; short options cluster (`-dit`), and a short option
 * that takes a value takes the rest of its cluster or the next word (`-p80:80`, `-p 80:80`); options
 * of `run` stop at the image, after which every word belongs to the container's command.
 *
 * Leaves out: validating the command (the simulated CLI answers that at run time, with Docker's own
 * messages), containers without `--name` (Docker gives them random names nobody can refer to in a
 * file), `docker rename`, compose. A long option not known to be boolean is assumed to take a value,
 * since almost all of `docker run`'s do.
 */

export interface DockerDeclaration {
  readonly container?: string;
  readonly network?: string;
  readonly service?: string;
}

/** docker's global options that take a value (`docker -H tcp://... run`). */
const GLOBAL_VALUE_OPTIONS = new Set([
  '-H',
  '--host',
  '-c',
  '--context',
  '--config',
  '-l',
  '--log-level',
  '--tlscacert',
  '--tlscert',
  '--tlskey',
]);

interface OptionTable {
  /** Long options without a value. */
  readonly longBoolean: ReadonlySet<string>;
  /** Short option letters that take a value. */
  readonly shortValue: ReadonlySet<string>;
}

const RUN_OPTIONS: OptionTable = {
  longBoolean: new Set([
    '--detach',
    '--interactive',
    '--tty',
    '--rm',
    '--init',
    '--privileged',
    '--read-only',
    '--publish-all',
    '--no-healthcheck',
    '--oom-kill-disable',
    '--disable-content-trust',
    '--sig-proxy',
    '--quiet',
    '--help',
  ]),
  shortValue: new Set(['a', 'c', 'e', 'h', 'l', 'm', 'p', 'u', 'v', 'w']),
};

const NETWORK_CREATE_OPTIONS: OptionTable = {
  longBoolean: new Set(['--internal', '--attachable', '--ingress', '--ipv6', '--ipv4', '--config-only', '--help']),
  shortValue: new Set(['d', 'o']),
};

const SERVICE_CREATE_OPTIONS: OptionTable = {
  longBoolean: new Set([
    '--detach',
    '--quiet',
    '--no-healthcheck',
    '--no-resolve-image',
    '--read-only',
    '--init',
    '--tty',
    '--with-registry-auth',
    '--help',
  ]),
  shortValue: new Set(['e', 'l', 'p', 'u', 'w']),
};

interface Parsed {
  /** Values of options, by option name (`--name`, `-p`), in order. */
  readonly options: ReadonlyMap<string, readonly string[]>;
  /** The first positional argument (image or network name). */
  readonly positional?: string;
}

/** Reads options up to the first positional argument, as pflag does with interspersed=false. */
function parseOptions(words: readonly string[], start: number, table: OptionTable): Parsed {
  const options = new Map<string, string[]>();
  const add = (name: string, value: string): void => {
    options.set(name, [...(options.get(name) ?? []), value]);
  };
  let i = start;
  while (i < words.length) {
    const word = words[i]!;
    if (word === '--') {
      i += 1;
      break;
    }
    if (word.startsWith('--')) {
      const eq = word.indexOf('=');
      if (eq >= 0) add(word.slice(0, eq), word.slice(eq + 1));
      else if (table.longBoolean.has(word)) add(word, 'true');
      else {
        add(word, words[i + 1] ?? '');
        i += 1;
      }
      i += 1;
    } else if (word.startsWith('-') && word.length > 1) {
      for (let k = 1; k < word.length; k += 1) {
        const letter = word[k]!;
        if (table.shortValue.has(letter)) {
          const rest = word.slice(k + 1);
          if (rest !== '') add(`-${letter}`, rest.startsWith('=') ? rest.slice(1) : rest);
          else {
            add(`-${letter}`, words[i + 1] ?? '');
            i += 1;
          }
          break;
        }
        add(`-${letter}`, 'true');
      }
      i += 1;
    } else {
      break;
    }
  }
  const positional = words[i];
  return positional === undefined ? { options } : { options, positional };
}

function lastValue(parsed: Parsed, name: string): string | undefined {
  const values = parsed.options.get(name);
  const value = values?.[values.length - 1];
  return value === undefined || value === '' ? undefined : value;
}

/** Index of the docker command word after global options. */
function commandStart(words: readonly string[]): number {
  let i = 0;
  while (i < words.length && words[i]!.startsWith('-')) {
    const word = words[i]!;
    i += GLOBAL_VALUE_OPTIONS.has(word) ? 2 : 1;
  }
  return i;
}

/** The name a `docker:` step gives a new container, network or service, if it gives one. */
export function dockerDeclaration(words: readonly string[]): DockerDeclaration {
  const i = commandStart(words);
  const command = words[i];
  const sub = words[i + 1];
  const container = (start: number): DockerDeclaration => {
    const name = lastValue(parseOptions(words, start, RUN_OPTIONS), '--name');
    return name === undefined ? {} : { container: name.replace(/^\//, '') };
  };
  if (command === 'run' || command === 'create') return container(i + 1);
  if (command === 'container' && (sub === 'run' || sub === 'create')) return container(i + 2);
  if (command === 'network' && sub === 'create') {
    const network = parseOptions(words, i + 2, NETWORK_CREATE_OPTIONS).positional;
    return network === undefined ? {} : { network };
  }
  if (command === 'service' && sub === 'create') {
    const service = lastValue(parseOptions(words, i + 2, SERVICE_CREATE_OPTIONS), '--name');
    return service === undefined ? {} : { service };
  }
  return {};
}

/** Networks every daemon has (and, in swarm mode, the two it adds). */
export const PREDEFINED_NETWORKS: readonly string[] = ['bridge', 'host', 'none', 'ingress', 'docker_gwbridge'];
