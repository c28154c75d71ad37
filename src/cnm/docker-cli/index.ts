/**
 * The docker CLI's front door: the `docker` program a Docker host's userland gets, and the
 * pieces other modules reuse (Go-compatible JSON, Go templates, the tabwriter layout).
 *
 * Models: docker/cli 20.10 (`cmd/docker`, `cli/command/{container,network,image,inspect,
 * formatter}`, `opts`) and its pflag/cobra command line; see each file's header.
 */
export { dockerProgram } from './docker-command.js';
export { goJson, goJsonString, goMap, type JsonValue, type GoJsonOptions } from './go-json.js';
export { GoTemplate, type TemplateOptions } from './go-template-exec.js';
export { goSprint, goSprintf } from './go-template-funcs.js';
export { tabwrite, formatList, listFormat, ellipsis, humanDuration, naturalLess, naturalCompare } from './formatter.js';
export { parseFlags, FlagValues, type FlagSpec, type FlagKind, type ParseResult } from './pflag.js';
export { parsePortSpec, parsePortSpecs, parseRestartPolicy, parseNetworkOpt, validateExtraHost, validateIpAddress } from './opts.js';
export { displayablePorts } from './cmd-ps.js';
export { consolidateIpam } from './cmd-network.js';
