/**
 * The golden harness: runs a capture's scenario (test/golden/scenarios/NN-*.yaml, the capture's
 * commands.sh as steps) once, then compares step outputs with the capture files, in the order
 * commands.sh wrote them.
 *
 * A plan lists what commands.sh captured, in order. Each entry names a capture file (its next
 * block is used, so a file written several times is read in order) and the scenario step that
 * reproduces it: the next step at or after the cursor with that command (and target). Ping and
 * fetch matrices are rebuilt from their steps' exit codes and outputs in lib/capture.sh's exact
 * printf format, and compared with the capture text as a whole.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RunContext } from '../../src/scenario/context.js';
import { loadScenario, splitWords, type Step } from '../../src/scenario/index.js';
import { buildLab } from '../../src/scenario/machines.js';
import type { StepReport } from '../../src/scenario/report.js';
import { runSteps } from '../../src/scenario/steps.js';
import { captureBlocks, captureText, type CaptureBlock } from './capture.js';
import {
  Placeholders,
  normaliseBridgeFdb,
  normaliseBrctlShow,
  normaliseConntrack,
  normaliseOwnRuleCounters,
  normaliseIpAddr,
  normaliseIpBrief,
  normaliseIpDetailLink,
  normaliseIpRoute,
  normaliseIptablesSave,
  normaliseJson,
  normaliseNeigh,
  normaliseText,
  pick,
} from './normalise.js';
import { goldenServices } from './programs.js';

/** How a capture block and a step output are compared. */
export type Compare =
  | 'text' // exact, ids by shape
  | 'iptables' // iptables-save without comments
  | 'ip-addr' // ip addr without IPv6/ifb, ifindexes and random MACs by shape
  | 'ip-route'
  | 'ip-brief' // ip -br link
  | 'ip-d-link' // ip -d link: as ip-addr, bridge ids by shape, timers and the VM NIC's hardware out
  | 'fdb' // bridge fdb show without multicast memberships
  | 'brctl'
  | 'network-json' // docker network inspect, all fields but Created, Containers keyed by name
  | 'container-json' // docker inspect, key fields
  | 'json' // one JSON document (docker inspect -f '{{json ...}}'), ids by shape
  | 'lines' // the multiset of lines: busybox nslookup prints A and AAAA answers in arrival order,
  //           and a step keeps stdout and stderr apart (their interleaving is lost)
  | 'neigh' // ip neigh: lines in any order (kernel hash order), random MACs by shape
  | 'ss' // ss -lntup: the embedded DNS's random ports, pids and fds by shape
  | 'conntrack' // conntrack -L: the set of flows without timeouts and ephemeral ports
  | 'own-counters' // iptables-save -c: packet counters of the rules the run created
  | 'exit'; // only the exit code

export interface Comparison {
  readonly name: string;
  readonly expected: unknown;
  readonly actual: unknown;
}

export interface PlanEntry {
  readonly file: string;
  readonly compare: Compare;
  /** The step's command as written in the scenario (without `docker`). */
  readonly command: string;
  /** Where the step ran (`host1`, a container name); any when omitted. */
  readonly target?: string;
  /** A matrix or fetch row (built by `pingMatrix` / `fetchRows`). */
  readonly build?: (next: (command: string, target?: string) => StepReport, nextBlock: (file: string) => CaptureBlock) => Comparison;
}

export function cap(file: string, compare: Compare, command: string, target?: string): PlanEntry {
  return target === undefined ? { file, compare, command } : { file, compare, command, target };
}

/**
 * lib/capture.sh `host_state PREFIX`, the parts the simulator has a counterpart for: not `nft list
 * ruleset` (no nft program), `ps` (no process listing) and the host's `ss -lntup` (the capture
 * VM's own services: containerd, an ssh-like listener).
 */
export function hostState(
  prefix: string,
  parts: readonly string[] = ['iptables-save', 'ip-d-link', 'ip-addr', 'ip-route', 'bridge-fdb', 'bridge-link', 'brctl-show', 'sysctl'],
): PlanEntry[] {
  const all: Record<string, PlanEntry> = {
    'iptables-save': cap(`${prefix}-iptables-save.txt`, 'iptables', 'iptables-save', 'host1'),
    'ip-d-link': cap(`${prefix}-ip-d-link.txt`, 'ip-d-link', 'ip -d link', 'host1'),
    'ip-addr': cap(`${prefix}-ip-addr.txt`, 'ip-addr', 'ip addr', 'host1'),
    'ip-route': cap(`${prefix}-ip-route.txt`, 'ip-route', 'ip route', 'host1'),
    'bridge-fdb': cap(`${prefix}-bridge-fdb.txt`, 'fdb', 'bridge fdb show', 'host1'),
    'bridge-link': cap(`${prefix}-bridge-link.txt`, 'ip-addr', 'bridge link', 'host1'),
    'brctl-show': cap(`${prefix}-brctl-show.txt`, 'brctl', 'brctl show', 'host1'),
    sysctl: cap(`${prefix}-sysctl.txt`, 'text', 'sysctl net.ipv4.ip_forward net.bridge.bridge-nf-call-iptables net.bridge.bridge-nf-call-ip6tables', 'host1'),
  };
  return parts.map((p) => all[p]!);
}

/** lib/capture.sh `container_state C`. */
export function containerState(c: string, withNeigh = true): PlanEntry[] {
  return [
    cap(`ctr-${c}-inspect.json`, 'container-json', `inspect ${c}`),
    cap(`ctr-${c}-networksettings.json`, 'json', `inspect -f '{{json .NetworkSettings}}' ${c}`),
    cap(`ctr-${c}-ns-ip-addr.txt`, 'ip-addr', `nsenter -t ${c} -n ip addr`),
    cap(`ctr-${c}-ns-ip-d-link.txt`, 'ip-d-link', `nsenter -t ${c} -n ip -d link`),
    cap(`ctr-${c}-ns-ip-route.txt`, 'ip-route', `nsenter -t ${c} -n ip route`),
    ...(withNeigh ? [cap(`ctr-${c}-ns-ip-neigh.txt`, 'neigh', `nsenter -t ${c} -n ip neigh`)] : []),
    cap(`ctr-${c}-ns-iptables-save.txt`, 'iptables', `nsenter -t ${c} -n iptables-save`),
    cap(`ctr-${c}-ns-ss-listen.txt`, 'ss', `nsenter -t ${c} -n ss -lntup`),
    cap(`ctr-${c}-resolv.conf.txt`, 'text', `exec ${c} cat /etc/resolv.conf`),
    cap(`ctr-${c}-hosts.txt`, 'text', `exec ${c} cat /etc/hosts`),
  ];
}

/**
 * lib/capture.sh `pingm FILE "srcs" "label=target ..."` (containers, `docker exec S ping -c1 -W1`)
 * or, with srcs = ['HOST'], `hostping` (`busybox ping -c1 -W1` on the host).
 */
export function pingMatrix(file: string, srcs: readonly string[], targets: readonly (readonly [string, string])[]): PlanEntry {
  const host = srcs.length === 1 && srcs[0] === 'HOST';
  return {
    file,
    compare: 'text',
    command: host ? 'busybox ping' : 'ping matrix',
    build: (next) => {
      let text = `${'src\\dst'.padEnd(10)}${targets.map(([l, t]) => `${l}(${t})`.padEnd(28)).join('')}\n`;
      for (const s of srcs) {
        text += s.padEnd(10);
        for (const [, t] of targets) {
          const step = host ? next(`busybox ping -c1 -W1 ${t}`, 'host1') : next(`exec ${s} ping -c1 -W1 ${t}`);
          text += (step.exitCode === 0 ? 'OK' : 'FAIL').padEnd(28);
        }
        text += '\n';
      }
      // pingm: `echo` (a blank line); hostping: `printf '\n\n'` after the row's cells, the same.
      text += '\n';
      return { name: `${host ? 'hostping' : 'pingm'} ${srcs.join(' ')}`, expected: undefined, actual: text };
    },
  };
}

/**
 * A value commands.sh wrote into summary.txt with `say` (the first group of `pattern`), against
 * the output of the step that computes it (`docker inspect -f ...`), ids by shape.
 */
export function summaryValue(folder: string, pattern: RegExp, command: string): PlanEntry {
  return {
    file: 'summary.txt',
    compare: 'text',
    command,
    build: (next) => {
      const m = pattern.exec(captureText(folder, 'summary.txt'));
      const ph = [new Placeholders(), new Placeholders()] as const;
      const expected = normaliseText(m?.[1] ?? `(no match for ${String(pattern)})`, ph[0]);
      const actual = normaliseText(next(command).stdout.trim(), ph[1]);
      return { name: `${String(pattern)} ← docker ${command}`, expected, actual };
    },
  };
}

/** lib/capture.sh `fetch FILE SRC URL`: one row of the fetch matrix. */
export function fetchRow(file: string, src: string, url: string): PlanEntry {
  return {
    file,
    compare: 'text',
    command: `fetch ${src} ${url}`,
    build: (next) => {
      const step = src === 'host' ? next(`timeout 4 busybox wget -qO- ${url}`, 'host1') : next(`exec ${src} timeout 4 wget -qO- ${url}`);
      const out = `${step.stdout}${step.stderr}`.replace(/\n+$/u, '');
      const body = `${out}\n`.replace(/\n/gu, ' ');
      const rc = step.exitCode;
      const row = `${(rc === 0 ? 'OK' : 'FAIL').padEnd(6)} ${src.padEnd(8)} ${url.padEnd(32)} rc=${String(rc).padEnd(3)} ${body}\n`;
      return { name: `fetch ${src} ${url}`, expected: undefined, actual: row };
    },
  };
}

export interface GoldenRun {
  /** Every step's report (commands as written, before `$(...)` expansion). */
  readonly steps: readonly StepReport[];
  /** One comparison per plan entry, in order. */
  readonly comparisons: readonly Comparison[];
}

/**
 * Runs `scenarios/FILE` step by step (so that a `$(...)` in a step's command can be expanded as
 * commands.sh's `$(docker inspect ...)` was, by running the inner docker command on host1 when the
 * step is reached) and pairs every plan entry with its capture and its step.
 */
export function runGolden(folder: string, scenarioFile: string, plan: readonly PlanEntry[]): GoldenRun {
  const path = join(import.meta.dirname, 'scenarios', scenarioFile);
  const loaded = loadScenario(readFileSync(path, 'utf8'), path);
  if (!loaded.ok) throw new Error(loaded.issues.map((i) => `${i.line}:${i.column}: ${i.message}`).join('\n'));
  const scenario = loaded.scenario;
  const lab = buildLab(scenario, scenario.seed, goldenServices());
  const ctx = new RunContext(lab);
  const steps: StepReport[] = [];
  scenario.steps.forEach((step, index) => {
    const expanded = expandStep(ctx, step);
    const report = runSteps(ctx, { ...scenario, steps: [expanded] }).steps[0]!;
    steps.push({ ...report, index, command: 'advance' in step ? step.advance : 'docker' in step ? step.docker : step.exec });
  });
  let cursor = 0;
  const next = (command: string, target?: string): StepReport => {
    for (let i = cursor; i < steps.length; i++) {
      const s = steps[i]!;
      if (s.command === command && (target === undefined || s.target === target)) {
        cursor = i + 1;
        return s;
      }
    }
    throw new Error(`no step "${command}"${target === undefined ? '' : ` on ${target}`} after step ${cursor}`);
  };
  const blockCursor = new Map<string, number>();
  const nextBlock = (file: string): CaptureBlock => {
    const i = blockCursor.get(file) ?? 0;
    blockCursor.set(file, i + 1);
    const b = captureBlocks(folder, file)[i];
    if (b === undefined) throw new Error(`${folder}/${file} has no block ${i}`);
    return b;
  };
  const textCursor = new Map<string, string>();
  const comparisons: Comparison[] = [];
  for (const entry of plan) {
    if (entry.build !== undefined) {
      const built = entry.build(next, nextBlock);
      if (built.expected !== undefined) {
        comparisons.push({ ...built, name: `${entry.file}: ${built.name}` });
        continue;
      }
      // Matrices and fetch rows: the capture file is plain text, consumed from the front.
      const rest = textCursor.get(entry.file) ?? captureText(folder, entry.file);
      const actual = String(built.actual);
      // A fetch row is one line of the capture; a matrix has a fixed width (cells are padded).
      const take = entry.command.startsWith('fetch ') ? rest.indexOf('\n') + 1 : actual.length;
      textCursor.set(entry.file, rest.slice(take));
      comparisons.push({ name: `${entry.file}: ${built.name}`, expected: rest.slice(0, take), actual });
      continue;
    }
    const block = nextBlock(entry.file);
    const step = next(entry.command, entry.target);
    comparisons.push(compareBlock(entry, block, step));
  }
  return { steps, comparisons };
}

/** Expands `$(docker ...)` in a step's command by running it on the first host. */
function expandStep(ctx: RunContext, step: Step): Step {
  if ('advance' in step) return step;
  const expand = (command: string): string =>
    command.replace(/\$\(([^()]*)\)/gu, (_, inner: string) => {
      const words = splitWords(inner);
      const place = ctx.place(ctx.lab.dockerHosts[0]!.name);
      if (!words.ok || place === undefined) return '';
      return ctx.run(place, words.words).stdout.trim();
    });
  return 'docker' in step ? { ...step, docker: expand(step.docker) } : { ...step, exec: expand(step.exec) };
}

function compareBlock(entry: PlanEntry, block: CaptureBlock, step: StepReport): Comparison {
  const name = `${entry.file} ← ${step.target}$ ${step.kind === 'docker' ? 'docker ' : ''}${step.command}`;
  const output = `${step.stdout}${step.stderr}`;
  const e = normalise(entry.compare, block.output);
  const a = normalise(entry.compare, output);
  return { name, expected: { exit: block.exit, output: e }, actual: { exit: step.exitCode, output: a } };
}

export function normalise(compare: Compare, text: string): unknown {
  const ph = new Placeholders();
  switch (compare) {
    case 'text':
      return normaliseText(text, ph);
    case 'iptables':
      return normaliseIptablesSave(text, ph);
    case 'ip-addr':
      return normaliseIpAddr(text, ph);
    case 'ip-route':
      return normaliseIpRoute(text, ph);
    case 'ip-brief':
      return normaliseIpBrief(text, ph);
    case 'ip-d-link':
      return normaliseIpDetailLink(text, ph);
    case 'fdb':
      return normaliseBridgeFdb(text, ph);
    case 'brctl':
      return normaliseBrctlShow(text, ph);
    case 'json':
      return normaliseJson(parseJson(text), ph);
    case 'network-json':
      return normaliseJson(networksByName(parseJson(text)), ph);
    case 'container-json':
      return normaliseJson(containerKeyFields(parseJson(text)), ph);
    case 'neigh':
      return normaliseNeigh(text, ph);
    case 'lines':
      return normaliseText(text, ph).split('\n').filter((l) => l.trim() !== '').sort();
    case 'conntrack':
      return normaliseConntrack(text);
    case 'ss':
      return normaliseText(
        text
          .replace(/(127\.0\.0\.11:)(\d+)/gu, (_, p: string, port: string) => `${p}${ph.get('PORT', port)}`)
          .replace(/pid=(\d+),fd=(\d+)/gu, (_, pid: string, fd: string) => `pid=${ph.get('PID', pid)},fd=${ph.get('FD', fd)}`)
          // ss pads the header to its widest Process cell, whose width follows the pid's digits.
          .replace(/[ \t]+$/gmu, ''),
        ph,
      );
    case 'own-counters':
      return normaliseOwnRuleCounters(text, ph);
    case 'exit':
      return '';
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return `(not JSON) ${text}`;
  }
}

/** `docker network inspect`: without Created (a timestamp), Containers keyed by container name. */
function networksByName(doc: unknown): unknown {
  if (!Array.isArray(doc)) return doc;
  return doc.map((n: Record<string, unknown>) => {
    const { Created: _created, Containers, ...rest } = n;
    const byName: Record<string, unknown> = {};
    if (Containers !== null && typeof Containers === 'object') {
      const entries = Object.entries(Containers as Record<string, Record<string, unknown>>);
      for (const [id, c] of entries.sort((x, y) => String(x[1]['Name']).localeCompare(String(y[1]['Name'])))) {
        byName[String(c['Name'])] = { Id: id, ...c };
      }
    }
    return { ...rest, Containers: byName };
  });
}

/** The networking fields of `docker inspect CONTAINER`. */
export const CONTAINER_FIELDS = [
  'Id',
  'Name',
  'Path',
  'Args',
  'ResolvConfPath',
  'HostnamePath',
  'HostsPath',
  'Config.Hostname',
  'Config.Domainname',
  'Config.ExposedPorts',
  'Config.Image',
  'HostConfig.NetworkMode',
  'HostConfig.PortBindings',
  'HostConfig.Dns',
  'HostConfig.DnsOptions',
  'HostConfig.DnsSearch',
  'HostConfig.ExtraHosts',
  'HostConfig.PublishAllPorts',
  'NetworkSettings',
];

function containerKeyFields(doc: unknown): unknown {
  if (!Array.isArray(doc)) return doc;
  return doc.map((c) => pick(c, CONTAINER_FIELDS));
}
