// A plugin that records every call (method and the JSON body it received) and answers from a
// table, for protocol tests of the remote network driver and remote IPAM.
import type { Plugin, PluginHost } from '../../../src/cnm/drivers/remote/index.js';

export interface Call {
  readonly method: string;
  readonly request: unknown;
}

export type Answers = Readonly<Record<string, (request: Record<string, unknown>, host: PluginHost) => unknown>>;

export interface Recorder extends Plugin {
  readonly calls: Call[];
  /** The requests of one method, in order. */
  requests(method: string): unknown[];
}

/** Defaults: activation as `implementsList`, local scope, `{}` for every other NetworkDriver/IpamDriver call except the optional ones. */
export function recorder(name: string, answers: Answers = {}, implementsList: readonly string[] = ['NetworkDriver']): Recorder {
  const calls: Call[] = [];
  const defaults: Answers = {
    'Plugin.Activate': () => ({ Implements: implementsList }),
    'NetworkDriver.GetCapabilities': () => ({ Scope: 'local' }),
  };
  return {
    name,
    calls,
    requests: method => calls.filter(c => c.method === method).map(c => c.request),
    handle(method, request, host) {
      calls.push({ method, request });
      const answer = answers[method] ?? defaults[method];
      const body = typeof request === 'object' && request !== null ? (request as Record<string, unknown>) : {};
      if (answer !== undefined) return answer(body, host);
      if (method === 'NetworkDriver.ProgramExternalConnectivity' || method === 'NetworkDriver.RevokeExternalConnectivity') return undefined;
      return method.startsWith('NetworkDriver.') || method.startsWith('IpamDriver.') ? {} : undefined;
    },
  };
}
