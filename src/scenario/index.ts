/**
 * The scenario layer's front door: the YAML contract of design.md section 6 (schemas and types),
 * the loader that reports every issue with file:line:column, and the helpers the runner will need
 * to read a loaded scenario (command-line splitting, `to:` targets, positions). Durations of
 * `advance:` steps are read with the engine's `parseDuration`.
 *
 * Leaves out, for now: building the world and running steps and expectations.
 */
export {
  ScenarioSchema,
  HostSchema,
  ExternalSchema,
  StepSchema,
  ExpectationSchema,
  DEFAULT_HOST,
  STEP_KINDS,
  EXPECTATION_KINDS,
  stepKind,
  expectationKind,
  scenarioJsonSchema,
  type Scenario,
  type Host,
  type External,
  type Step,
  type StepKind,
  type DockerStep,
  type ExecStep,
  type AdvanceStep,
  type Expectation,
  type ExpectationKind,
  type ReachExpectation,
  type DnsExpectation,
  type ExecExpectation,
  type InspectExpectation,
  type TraceExpectation,
} from './schema.js';
export { loadScenario, type LoadResult } from './load.js';
export { formatIssue, type ScenarioIssue, type IssuePath } from './issues.js';
export { PositionIndex, type SourcePosition } from './positions.js';
export { splitWords, quoteWord, joinWords, type SplitResult } from './shell-words.js';
export { parseTarget, compileMatcher, type Target, type FormatProblem } from './formats.js';
export { dockerDeclaration, type DockerDeclaration } from './docker-declarations.js';
