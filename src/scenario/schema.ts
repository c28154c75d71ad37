/**
 * The scenario file contract of design.md section 6, as zod schemas, and the types read from them.
 *
 * The schemas check the shape of each field and its own format (a CIDR, a duration, a regular
 * expression, a `to:` target); relations between fields and names used across the file (an `on:`
 * host that exists, `by:` only with `verdict: dropped`) are checked in cross-checks.ts, which sees
 * the whole file at once. All objects are strict, so an unknown key is an error.
 *
 * Each step and each expectation is a union of variants told apart by one key (`docker:`, `exec:`
 * or `advance:`; `reach:`, `dns:`, `exec:`, `inspect:` or `trace:`). The kind key of a variant is
 * the first key of its shape, so issue translation can pick the variant a person meant.
 *
 * Default host: a file without `hosts:` gets one Docker host `host1` at 192.0.2.2/24 (RFC 5737
 * TEST-NET-1) with gateway 192.0.2.1 and nameserver 10.255.255.53, the host of the reference
 * captures in /work/shared/reference/docker-20.10 (`ip route`, `/etc/resolv.conf`).
 *
 * Leaves out: running anything. The loader (load.ts) validates; execution lives elsewhere.
 */
import * as z from 'zod';
import { parseDuration } from '../engine/index.js';
import {
  checkBy,
  checkHostCidr,
  checkInspectPath,
  checkIpv4,
  checkMachineName,
  checkPassItem,
  checkRegex,
  checkTarget,
  MACHINE_NAME_PATTERN,
  type FormatProblem,
} from './formats.js';

/** A string field whose text must pass `check`; the issue carries `params.expected`/`params.detail`. */
function formatted(check: (text: string) => FormatProblem | undefined, meta: { description: string; pattern?: string }) {
  return z
    .string()
    .superRefine((value, ctx) => {
      const problem = check(value);
      if (problem === undefined) return;
      ctx.addIssue({
        code: 'custom',
        message: `expected ${problem.expected}`,
        params: problem.detail === undefined ? { expected: problem.expected } : { expected: problem.expected, detail: problem.detail },
      });
    })
    .meta(meta);
}

const DURATION_EXAMPLES = 'a duration like 250ms, 2s, 1m (units ns, us, ms, s, m, h)';

/** Durations are Go's syntax, read by the engine's own parser (integer nanoseconds). */
function durationProblem(text: string): FormatProblem | undefined {
  return typeof parseDuration(text) === 'number' ? undefined : { expected: DURATION_EXAMPLES };
}

const machineName = formatted(checkMachineName, { description: 'Name used by on:, from:, to: and in:.', pattern: MACHINE_NAME_PATTERN });
/** Loose patterns for editors (a superset of what the checks accept; the checks have the last word). */
const IPV4_PATTERN = '^\\d{1,3}(\\.\\d{1,3}){3}$';
const CIDR_PATTERN = '^\\d{1,3}(\\.\\d{1,3}){3}/\\d{1,2}$';
const DURATION_PATTERN = '^\\s*\\+?(0|((\\d+(\\.\\d*)?|\\.\\d+)(ns|us|µs|μs|ms|s|m|h))+)\\s*$';

const hostCidr = formatted(checkHostCidr, { description: 'eth0 address with prefix length, like 10.0.0.11/24.', pattern: CIDR_PATTERN });
const ipv4 = formatted(checkIpv4, { description: 'An IPv4 address like 10.0.0.1.', pattern: IPV4_PATTERN });
const regex = formatted(checkRegex, { description: 'A JavaScript regular expression; ^ and $ match at each line.' });
const reference = z.string().min(1);
const command = z.string().meta({ description: 'Split into words as a POSIX shell does, without expansion.' });
const target = formatted(checkTarget, { description: 'A container, host or external name, an IPv4 address, or NAME:PORT.' });
const port = z.int().min(1).max(65535);
const proto = z.enum(['tcp', 'udp', 'icmp']);

/** The host a scenario gets when it declares none (see the header). */
export const DEFAULT_HOST = {
  name: 'host1',
  address: '192.0.2.2/24',
  gateway: '192.0.2.1',
  nameservers: ['10.255.255.53'],
} as const;

const machineShape = {
  name: machineName,
  address: hostCidr,
  gateway: ipv4.optional().meta({ description: 'Default route of the machine.' }),
  nameservers: z.array(ipv4).optional().meta({ description: 'The nameserver lines of /etc/resolv.conf.' }),
};

export const HostSchema = z.strictObject(machineShape).meta({ description: 'A Linux host running Docker Engine.' });
export const ExternalSchema = z.strictObject(machineShape).meta({ description: 'A machine without Docker on the underlay.' });

/** Inline checks a step may carry; when given, a failing one makes the step a failed expectation. */
const stepChecks = {
  exit: z.int().min(0).max(255).optional().meta({ description: 'Expected exit code.' }),
  contains: z.string().optional().meta({ description: 'Text expected in stdout+stderr.' }),
  matches: regex.optional(),
  equals: z.string().optional().meta({ description: 'Exact stdout+stderr after trimming trailing white space.' }),
};

export const DockerStepSchema = z.strictObject({
  docker: command.meta({ description: 'A docker CLI command line without the leading "docker".' }),
  on: reference.optional().meta({ description: 'The host whose daemon runs it; default the first host.' }),
  ...stepChecks,
});
export const ExecStepSchema = z.strictObject({
  exec: command.meta({ description: 'A simulated program and its arguments.' }),
  in: reference.optional().meta({ description: 'A container to run it in.' }),
  on: reference.optional().meta({ description: 'A host or external to run it on (or the host of in:).' }),
  ...stepChecks,
});
export const AdvanceStepSchema = z.strictObject({
  advance: formatted(durationProblem, { description: 'Let virtual time pass, like 250ms, 2s, 1m30s.', pattern: DURATION_PATTERN }),
});
export const StepSchema = z.union([DockerStepSchema, ExecStepSchema, AdvanceStepSchema]);

export const STEP_KINDS = ['docker', 'exec', 'advance'] as const;

export const ReachSchema = z.strictObject({
  from: reference,
  to: target,
  port: port.optional(),
  proto: proto.optional().meta({ description: 'Default icmp without a port, tcp with one.' }),
  ok: z.boolean().default(true).meta({ description: 'false: expect the attempt to fail.' }),
});
export const DnsSchema = z.strictObject({
  in: reference,
  name: z.string().min(1),
  answers: z.array(z.string()).meta({ description: 'Expected answers, order ignored; [] means no answer.' }),
  type: z.enum(['A', 'AAAA', 'PTR']).default('A'),
});
export const ExecCheckSchema = z.strictObject({
  in: reference.optional(),
  on: reference.optional(),
  cmd: command,
  contains: z.string().optional(),
  matches: regex.optional(),
  equals: z.string().optional(),
});
export const InspectSchema = z.strictObject({
  container: reference.optional(),
  network: reference.optional(),
  path: formatted(checkInspectPath, { description: 'Dot-separated path into docker inspect output.' }),
  equals: z.string().optional(),
  contains: z.string().optional(),
  matches: regex.optional(),
});
export const TraceSchema = z.strictObject({
  from: reference,
  to: target,
  port: port.optional(),
  proto: proto.optional(),
  verdict: z.enum(['delivered', 'dropped']),
  by: formatted(checkBy, { description: 'table/chain or drop reason that decided a drop.' }).optional(),
  passes: z.array(formatted(checkPassItem, { description: 'table/chain or device name.' })).optional(),
});
export const ExpectationSchema = z.union([
  z.strictObject({ reach: ReachSchema }),
  z.strictObject({ dns: DnsSchema }),
  z.strictObject({ exec: ExecCheckSchema }),
  z.strictObject({ inspect: InspectSchema }),
  z.strictObject({ trace: TraceSchema }),
]);

export const EXPECTATION_KINDS = ['reach', 'dns', 'exec', 'inspect', 'trace'] as const;

export const ScenarioSchema = z
  .strictObject({
    name: z.string().min(1),
    description: z.string().optional(),
    seed: z.int().min(0).default(1).meta({ description: 'Seed of every random stream.' }),
    hosts: z
      .array(HostSchema)
      .min(1)
      .default(() => [{ ...DEFAULT_HOST, nameservers: [...DEFAULT_HOST.nameservers] }])
      .meta({ description: 'Docker hosts; default one host host1 at 192.0.2.2/24.' }),
    externals: z.array(ExternalSchema).default(() => []),
    steps: z.array(StepSchema).default(() => []),
    expect: z.array(ExpectationSchema).default(() => []),
  })
  .meta({ title: 'cnmsim scenario', description: 'A cnmsim scenario (design.md section 6).' });

export type Scenario = z.output<typeof ScenarioSchema>;
export type Host = z.output<typeof HostSchema>;
export type External = z.output<typeof ExternalSchema>;
export type DockerStep = z.output<typeof DockerStepSchema>;
export type ExecStep = z.output<typeof ExecStepSchema>;
export type AdvanceStep = z.output<typeof AdvanceStepSchema>;
export type Step = z.output<typeof StepSchema>;
export type StepKind = (typeof STEP_KINDS)[number];
export type ReachExpectation = z.output<typeof ReachSchema>;
export type DnsExpectation = z.output<typeof DnsSchema>;
export type ExecExpectation = z.output<typeof ExecCheckSchema>;
export type InspectExpectation = z.output<typeof InspectSchema>;
export type TraceExpectation = z.output<typeof TraceSchema>;
export type Expectation = z.output<typeof ExpectationSchema>;
export type ExpectationKind = (typeof EXPECTATION_KINDS)[number];

export function stepKind(step: Step): StepKind {
  if ('docker' in step) return 'docker';
  if ('exec' in step) return 'exec';
  return 'advance';
}

export function expectationKind(expectation: Expectation): ExpectationKind {
  if ('reach' in expectation) return 'reach';
  if ('dns' in expectation) return 'dns';
  if ('exec' in expectation) return 'exec';
  if ('inspect' in expectation) return 'inspect';
  return 'trace';
}

/** The JSON Schema of the file, for editors (`# yaml-language-server: $schema=...`). */
export function scenarioJsonSchema(): string {
  const schema = z.toJSONSchema(ScenarioSchema, { io: 'input', target: 'draft-7', unrepresentable: 'any' });
  return `${JSON.stringify(schema, null, 2)}\n`;
}
