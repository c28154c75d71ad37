/**
 * Checks that need the whole scenario file at once: names used across it, and fields that only make
 * sense together. The schemas (schema.ts) check each field on its own.
 *
 * Checked:
 *   - host and external names are unique, and so are their addresses; a gateway lies inside the
 *     machine's own subnet and is not its own address (Linux refuses a gateway it cannot reach
 *     on-link: "Nexthop has invalid gateway");
 *   - `docker:` and `exec:` command lines split into words (no unterminated quote), are not empty,
 *     and a `docker:` line does not repeat the word `docker`;
 *   - `on:` of a docker step names a host; `on:` of an exec step a host or an external, and an
 *     external when the step runs `in:` a container (externals have no Docker);
 *   - `from:`, `to:` and `in:` of expectations name a container created by a `docker run/create
 *     --name` step, a host or an external (`to:` also a service, an address, or `NAME:PORT`);
 *   - reach/trace: the port is given once, ICMP has none, TCP and UDP have one; `by:` only with
 *     `verdict: dropped`;
 *   - dns answers have the form of their record type; exec and inspect have at most one
 *     comparison (inspect exactly one), and inspect names exactly one container or network.
 *
 * It runs on the raw data even when the schema found problems, so that every issue is reported in
 * one go; any field with the wrong type is skipped here (the schema has reported it).
 *
 * Leaves out: whether a step's `in:` container exists (a scenario may show Docker's own "No such
 * container" answer), and anything that depends on running the steps.
 */
import { dockerDeclaration, PREDEFINED_NETWORKS } from './docker-declarations.js';
import { formatIpv4, inSubnet, isDnsName, isIpv6, maskOf, parseHostCidr, parseIpv4, parseTarget, type HostCidr } from './formats.js';
import { didYouMean, listWords, type IssuePath, type PendingIssue } from './issues.js';
import type { PositionIndex } from './positions.js';
import { DEFAULT_HOST } from './schema.js';
import { splitWords } from './shell-words.js';

type Row = Readonly<Record<string, unknown>>;

function isRow(value: unknown): value is Row {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function rows(value: unknown): (Row | undefined)[] {
  return Array.isArray(value) ? value.map((item) => (isRow(item) ? item : undefined)) : [];
}

function text(row: Row, key: string): string | undefined {
  const value = row[key];
  return typeof value === 'string' ? value : undefined;
}

interface Machine {
  readonly kind: 'host' | 'external';
  readonly name: string;
  readonly path: IssuePath;
}

/** Everything that `from:`, `to:`, `in:` and `on:` may name. */
interface Names {
  readonly hosts: readonly string[];
  readonly externals: readonly string[];
  readonly containers: readonly string[];
  readonly networks: readonly string[];
  readonly services: readonly string[];
}

const MAX_LISTED = 8;

function choices(names: readonly string[]): string {
  const unique = [...new Set(names)];
  return unique.length <= MAX_LISTED ? unique.join(', ') : `${unique.slice(0, MAX_LISTED).join(', ')}, ...`;
}

export function crossCheck(data: unknown, positions: PositionIndex): PendingIssue[] {
  const issues: PendingIssue[] = [];
  const root = isRow(data) ? data : {};
  const machines = checkMachines(root, positions, issues);
  const names = checkSteps(root, machines, issues);
  checkExpectations(root, names, issues);
  return issues;
}

function checkMachines(root: Row, positions: PositionIndex, issues: PendingIssue[]): Machine[] {
  const machines: Machine[] = [];
  const byName = new Map<string, IssuePath>();
  const byAddress = new Map<number, string>();
  const groups: [('host' | 'external'), string, unknown][] = [
    ['host', 'hosts', root['hosts'] === undefined ? [DEFAULT_HOST] : root['hosts']],
    ['external', 'externals', root['externals']],
  ];
  for (const [kind, key, list] of groups) {
    rows(list).forEach((row, i) => {
      if (row === undefined) return;
      const path = [key, i];
      const name = text(row, 'name');
      if (name !== undefined) {
        const earlier = byName.get(name);
        if (earlier === undefined) byName.set(name, path);
        else {
          const where = positions.at([...earlier, 'name']).line;
          issues.push({
            path: [...path, 'name'],
            message:
              `duplicate name "${name}": ${String(earlier[0])}[${String(earlier[1])}] on line ${where} already has it; ` +
              'host and external names must be unique',
            expected: 'a name no other host or external has',
            found: `"${name}"`,
          });
        }
        machines.push({ kind, name, path });
      }
      const address = text(row, 'address');
      const cidr = address === undefined ? undefined : parseHostCidr(address);
      if (cidr === undefined || 'expected' in cidr) return;
      const owner = byAddress.get(cidr.address);
      if (owner !== undefined) {
        issues.push({
          path: [...path, 'address'],
          message: `address ${formatIpv4(cidr.address)} is already used by ${owner}`,
          expected: 'an address no other host or external has',
          found: `"${address ?? ''}"`,
        });
      } else {
        byAddress.set(cidr.address, name ?? `${key}[${i}]`);
      }
      checkGateway(row, path, cidr, issues);
    });
  }
  return machines;
}

function checkGateway(row: Row, path: IssuePath, cidr: HostCidr, issues: PendingIssue[]): void {
  const gatewayText = text(row, 'gateway');
  const gateway = gatewayText === undefined ? undefined : parseIpv4(gatewayText);
  if (gateway === undefined) return;
  const subnet = `${formatIpv4((cidr.address & maskOf(cidr.prefix)) >>> 0)}/${cidr.prefix}`;
  if (gateway === cidr.address) {
    issues.push({
      path: [...path, 'gateway'],
      message: `gateway ${gatewayText ?? ''} is the machine's own address; expected another address in ${subnet}`,
      expected: `another address in ${subnet}`,
      found: `"${gatewayText ?? ''}"`,
    });
  } else if (!inSubnet(cidr, gateway)) {
    issues.push({
      path: [...path, 'gateway'],
      message: `gateway ${gatewayText ?? ''} is outside the machine's subnet ${subnet}; expected an address the kernel can reach on-link`,
      expected: `an address in ${subnet}`,
      found: `"${gatewayText ?? ''}"`,
    });
  }
}

/** Splits a command line, reporting an unterminated quote where it opens. */
function words(command: string, path: IssuePath, what: string, issues: PendingIssue[]): readonly string[] | undefined {
  const split = splitWords(command);
  if (!split.ok) {
    issues.push({
      path,
      message: `${split.message} in the ${what}; expected ${split.expected}`,
      expected: split.expected,
      anchor: { offset: split.index },
    });
    return undefined;
  }
  if (split.words.length === 0) {
    issues.push({ path, message: `empty ${what}; expected a command line`, expected: 'a command line', found: `"${command}"` });
    return undefined;
  }
  return split.words;
}

function checkSteps(root: Row, machines: readonly Machine[], issues: PendingIssue[]): Names {
  const hosts = machines.filter((m) => m.kind === 'host').map((m) => m.name);
  const externals = machines.filter((m) => m.kind === 'external').map((m) => m.name);
  const containers: string[] = [];
  const networks: string[] = [...PREDEFINED_NETWORKS];
  const services: string[] = [];
  const steps = rows(root['steps']);
  steps.forEach((step, i) => {
    if (step === undefined) return;
    const path = ['steps', i];
    const docker = text(step, 'docker');
    const exec = text(step, 'exec');
    if (docker !== undefined) {
      const split = words(docker, [...path, 'docker'], 'docker command', issues);
      if (split?.[0] === 'docker') {
        issues.push({
          path: [...path, 'docker'],
          message: 'the docker: step already runs docker; expected the command without the leading word "docker", like "network ls"',
          expected: 'a docker command without the word "docker"',
          found: `"${docker}"`,
          anchor: { offset: docker.indexOf('docker') },
        });
      }
      const declared = split === undefined ? {} : dockerDeclaration(split);
      if (declared.container !== undefined) {
        if (machines.some((m) => m.name === declared.container)) {
          issues.push({
            path: [...path, 'docker'],
            message:
              `container name "${declared.container}" is also the name of a host or external, ` +
              'so from:, to: and in: could not tell them apart',
            expected: 'a container name that is not a host or external name',
            found: `"${declared.container}"`,
          });
        }
        containers.push(declared.container);
      }
      if (declared.network !== undefined) networks.push(declared.network);
      if (declared.service !== undefined) services.push(declared.service);
    } else if (exec !== undefined) {
      words(exec, [...path, 'exec'], 'exec command', issues);
    }
  });
  const names = { hosts, externals, containers, networks, services };
  // `on:` is checked once every step has been read, so that `known` is complete.
  steps.forEach((step, i) => {
    const on = step === undefined ? undefined : text(step, 'on');
    if (step === undefined || on === undefined) return;
    const dockerOnly = text(step, 'docker') !== undefined || text(step, 'in') !== undefined;
    const allowed = dockerOnly ? { host: hosts } : { host: hosts, external: externals };
    checkName(on, ['steps', i, 'on'], 'on', allowed, everything(names), issues);
  });
  return names;
}

type Kind = 'container' | 'host' | 'external' | 'service' | 'network';
type Kinds = Partial<Record<Kind, readonly string[]>>;

function everything(names: Names): Kinds {
  return { container: names.containers, host: names.hosts, external: names.externals, service: names.services, network: names.networks };
}

/**
 * Reports `name` at `path` unless it is one of `allowed`. A name that exists with another kind
 * (an external in a docker step's `on:`, a host in `in:`) gets a message saying so.
 */
function checkName(name: string, path: IssuePath, field: string, allowed: Kinds, known: Kinds, issues: PendingIssue[]): void {
  const entries = Object.entries(allowed) as [Kind, readonly string[]][];
  if (entries.some(([, names]) => names.includes(name))) return;
  // Kinds with no names at all (no services in this file) would only lengthen the sentence.
  const nonEmpty = entries.filter(([, names]) => names.length > 0);
  const kinds = listWords((nonEmpty.length > 0 ? nonEmpty : entries).map(([kind]) => kind));
  const all = entries.flatMap(([, names]) => names);
  const expected = all.length === 0 ? `a ${kinds} name (none is declared)` : `a ${kinds}: ${choices(all)}`;
  const actual = (Object.entries(known) as [Kind, readonly string[]][]).find(([, names]) => names.includes(name))?.[0];
  const message =
    actual === undefined
      ? `${field}: unknown name "${name}"; expected ${expected}${didYouMean(name, all)}`
      : `${field}: "${name}" is ${actual === 'external' ? 'an external, which runs no Docker' : `a ${actual}`}; expected ${expected}`;
  issues.push({ path, message, expected, found: `"${name}"` });
}

function checkExpectations(root: Row, names: Names, issues: PendingIssue[]): void {
  const places: Kinds = { container: names.containers, host: names.hosts, external: names.externals };
  const known = everything(names);
  rows(root['expect']).forEach((expectation, i) => {
    if (expectation === undefined) return;
    for (const [kind, body] of Object.entries(expectation)) {
      if (!isRow(body)) continue;
      const path = ['expect', i, kind];
      const name = (key: string, allowed: Kinds): void => {
        const value = text(body, key);
        if (value !== undefined) checkName(value, [...path, key], key, allowed, known, issues);
      };
      if (kind === 'reach' || kind === 'trace') {
        name('from', places);
        checkTo(body, path, { ...places, service: names.services }, known, issues);
        if (kind === 'trace' && text(body, 'by') !== undefined && body['verdict'] === 'delivered') {
          issues.push({
            path: [...path, 'by'],
            message: 'by: names what dropped a packet, but verdict is delivered; expected verdict: dropped, or no by:',
            expected: 'verdict: dropped',
          });
        }
      } else if (kind === 'dns') {
        name('in', places);
        checkAnswers(body, path, issues);
      } else if (kind === 'exec') {
        exclusive(body, path, ['in', 'on'], false, issues);
        name('in', { container: names.containers });
        name('on', { host: names.hosts, external: names.externals });
        const cmd = text(body, 'cmd');
        if (cmd !== undefined) words(cmd, [...path, 'cmd'], 'command', issues);
        exclusive(body, path, ['contains', 'matches', 'equals'], false, issues);
      } else if (kind === 'inspect') {
        exclusive(body, path, ['container', 'network'], true, issues);
        name('container', { container: names.containers });
        name('network', { network: names.networks });
        exclusive(body, path, ['equals', 'contains', 'matches'], true, issues);
      }
    }
  });
}

/** At most one (or, when `required`, exactly one) of `keys` may be present; the second written is reported. */
function exclusive(body: Row, path: IssuePath, keys: readonly string[], required: boolean, issues: PendingIssue[]): void {
  const present = Object.keys(body).filter((key) => keys.includes(key) && body[key] !== undefined);
  if (present.length > 1) {
    issues.push({
      path: [...path, present[1]!],
      message: `${present[1]!}: only one of ${listWords(keys)} may be given, and ${present[0]!} already is`,
      expected: `one of ${listWords(keys)}`,
      found: listWords(present),
      anchor: 'key',
    });
  } else if (present.length === 0 && required) {
    issues.push({
      path,
      message: `${String(path[path.length - 1])}: missing one of ${listWords(keys)}; expected exactly one`,
      expected: `one of ${listWords(keys)}`,
      found: 'none',
    });
  }
}

function checkTo(body: Row, path: IssuePath, allowed: Kinds, known: Kinds, issues: PendingIssue[]): void {
  const to = text(body, 'to');
  const target = to === undefined ? undefined : parseTarget(to);
  const port = body['port'];
  const proto = body['proto'];
  if (target !== undefined && !('expected' in target)) {
    if (target.name !== undefined) checkName(target.name, [...path, 'to'], 'to', allowed, known, issues);
    if (target.port !== undefined && port !== undefined) {
      issues.push({
        path: [...path, 'port'],
        message: `port is given twice, in to: "${to ?? ''}" and in port:; expected only one of them`,
        expected: 'one port',
        anchor: 'key',
      });
    }
  }
  const hasPort = port !== undefined || (target !== undefined && 'port' in target && target.port !== undefined);
  if (proto === 'icmp' && hasPort) {
    issues.push({
      path: [...path, 'proto'],
      message: 'proto: icmp has no ports; expected tcp or udp with a port, or no port',
      expected: 'no port with icmp',
      found: '"icmp"',
    });
  } else if ((proto === 'tcp' || proto === 'udp') && !hasPort) {
    issues.push({
      path: [...path, 'proto'],
      message: `proto: ${proto} needs a port; expected port: or to: NAME:PORT`,
      expected: 'a port',
      found: 'none',
    });
  }
}

/** What each record type's answers look like, and how to say it. */
const ANSWER_FORMS: Readonly<Record<string, readonly [(text: string) => boolean, string]>> = {
  A: [(t) => parseIpv4(t) !== undefined, 'an IPv4 address (type A)'],
  AAAA: [isIpv6, 'an IPv6 address (type AAAA)'],
  PTR: [isDnsName, 'a DNS name (type PTR)'],
};

function checkAnswers(body: Row, path: IssuePath, issues: PendingIssue[]): void {
  const form = ANSWER_FORMS[typeof body['type'] === 'string' ? body['type'] : 'A'];
  const answers = body['answers'];
  if (form === undefined || !Array.isArray(answers)) return;
  const [fits, expected] = form;
  answers.forEach((answer: unknown, i) => {
    if (typeof answer !== 'string' || fits(answer)) return;
    const found = `"${answer}"`;
    issues.push({ path: [...path, 'answers', i], message: `answers[${i}]: expected ${expected}; found ${found}`, expected, found });
  });
}
