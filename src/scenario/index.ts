/**
 * The scenario layer's front door: the YAML contract of design.md section 6 (schemas and types),
 * the loader that reports every issue with file:line:column, and the helpers the runner will need
 * to read a loaded scenario (command-line splitting, `to:` targets, positions). Durations of
 * `advance:` steps are read with the engine's `parseDuration`.
 *
 * It also runs them: `runScenario` builds the lab, runs the steps and checks the expectations,
 * `transcript` prints the report as a session; `runProbe` walks one packet and `probeWalks`
 * splits out its reply; the teaching trace renders a walk at three depths; `PacketCapture`
 * writes pcapng of a run.
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
export { runScenario, type RunOptions, type RunResult } from './run.js';
export { transcript, reportOk, type RunReport, type StepReport, type ExpectationReport } from './report.js';
export { RunContext, describeAddress, type Place } from './context.js';
export { buildLab, type Lab, type Machine, type MachineServices, type DockerEngine, type ContainerContext } from './machines.js';
export { defaultServices, machinePrograms } from './services.js';
export { resolveTarget } from './expectations.js';
export { runProbe, probeArgv, verdictOf, passedNames, type ProbeProto, type ProbeResult, type Verdict } from './probe.js';
export { recordLine, renderWalk } from './walk-text.js';
export { probeWalks, type ProbeWalks } from './trace-walks.js';
export {
  renderTeachingTrace,
  renderWalkBlock,
  namespaceHeader,
  walkVerdict,
  isTraceDepth,
  TRACE_DEPTHS,
  PLAIN_STYLE,
  type TraceDepth,
  type TraceStyle,
  type TeachingTraceInput,
  type TeachingTraceOptions,
  type WalkVerdict,
} from './teaching-trace.js';
export { explainDrop, type DropExplanation, type ProbeHint } from './trace-advice.js';
export { labNames, namespaceName, NO_NAMES, type TraceNames, type NamespaceName, type NetworkName, type NamespaceKind } from './trace-names.js';
export { PacketCapture, captureSelected, type CapturePoint } from './capture.js';
