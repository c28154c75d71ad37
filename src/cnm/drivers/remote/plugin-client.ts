/**
 * Calling a plugin: the request and the answer cross as JSON text (so neither side keeps
 * references into the other), HTTP statuses become Docker's error texts, and `Err` in a 200
 * answer becomes `remote: <err>`; plus the decoding of answers into typed fields with Go's
 * `encoding/json` complaints.
 *
 * Models: moby `pkg/plugins/client.go` (Docker 20.10) `Call`/`callWithRetry`: a non-200 answer is
 * a `statusError` printed `<Endpoint.Method>: <Err of the JSON body, or the body text>` (so a 404
 * from a plugin without the method reads `NetworkDriver.ProgramExternalConnectivity: 404 page not
 * found`); libnetwork `drivers/remote/driver.go` and `ipams/remote/remote.go` `call`: a 200
 * answer whose `Err` is set fails with `remote: <Err>`.
 * Leaves out: the retry and back-off on connection failures (an in-process plugin is always
 * there), TLS, timeouts.
 */
import { ok, system, type Result } from '../../errors.js';
import { PluginHttpResponse, type Plugin, type PluginHost } from './api.js';

/** Go's `http.NotFound` body. */
export const NOT_FOUND_BODY = '404 page not found\n';
/** What libnetwork looks for to tolerate a missing optional method. */
export const MISSING_METHOD = '404 page not found';

type Json = null | boolean | number | string | readonly Json[] | { readonly [k: string]: Json };

/** A JSON value as a fresh copy (what crosses the socket). */
function roundTrip(value: unknown): Json | undefined {
  const text = JSON.stringify(value);
  return text === undefined ? undefined : (JSON.parse(text) as Json);
}

/**
 * `plugins.Client.Call(method, args, ret)`: the decoded 200 body, or the status error. A plugin
 * that throws is answered like one whose handler failed with HTTP 500 and that message.
 */
export function callPlugin(plugin: Plugin, host: PluginHost, method: string, request: unknown): Result<Record<string, unknown>> {
  let answer: unknown;
  try {
    answer = plugin.handle(method, roundTrip(request) ?? null, host);
  } catch (e) {
    return system(`${method}: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (answer === undefined) return system(`${method}: ${NOT_FOUND_BODY}`);
  if (answer instanceof PluginHttpResponse && answer.status !== 200) {
    const body = roundTrip(answer.body);
    if (isObject(body) && typeof body['Err'] === 'string' && body['Err'] !== '') return system(`${method}: ${body['Err']}`);
    return system(`${method}: ${typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body)}`);
  }
  const body = roundTrip(answer instanceof PluginHttpResponse ? answer.body : answer);
  if (body === null) return ok({});
  if (!isObject(body)) return system(`json: cannot unmarshal ${jsonType(body ?? null)} into Go value of type ${goStruct(method)}`);
  return ok(body);
}

/** `call` of the remote driver and IPAM: a set `Err` fails the call. */
export function callRemote(plugin: Plugin, host: PluginHost, method: string, request: unknown): Result<Record<string, unknown>> {
  const r = callPlugin(plugin, host, method, request);
  if (!r.ok) return r;
  const e = r.value['Err'];
  if (e !== undefined && e !== null && typeof e !== 'string') return system(fieldError(method, 'Err', e, 'string'));
  if (typeof e === 'string' && e !== '') return system(`remote: ${e}`);
  return r;
}

function isObject(v: Json | undefined): v is { readonly [k: string]: Json } {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function jsonType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'object') return 'object';
  return typeof v;
}

/** The Go response struct a method decodes into (`api.JoinResponse`). */
function goStruct(method: string): string {
  const name = method.slice(method.indexOf('.') + 1);
  return `api.${name}Response`;
}

function fieldError(method: string, field: string, value: unknown, goType: string): string {
  return `json: cannot unmarshal ${jsonType(value)} into Go struct field ${goStruct(method).slice(4)}.${field} of type ${goType}`;
}

/** Typed reads of an answer's fields, with Go's zero values and decode errors. */
export class Fields {
  constructor(
    readonly method: string,
    readonly body: Readonly<Record<string, unknown>>,
  ) {}

  string(field: string): Result<string> {
    const v = this.body[field];
    if (v === undefined || v === null) return ok('');
    return typeof v === 'string' ? ok(v) : system(fieldError(this.method, field, v, 'string'));
  }

  bool(field: string): Result<boolean> {
    const v = this.body[field];
    if (v === undefined || v === null) return ok(false);
    return typeof v === 'boolean' ? ok(v) : system(fieldError(this.method, field, v, 'bool'));
  }

  /** A JSON number read into an integer field. */
  int(field: string): Result<number> {
    const v = this.body[field];
    if (v === undefined || v === null) return ok(0);
    return typeof v === 'number' && Number.isInteger(v) ? ok(v) : system(fieldError(this.method, field, v, 'int'));
  }

  /** An object (`*Struct` or `map`), or undefined for absent/null. */
  object(field: string, goType: string): Result<Readonly<Record<string, unknown>> | undefined> {
    const v = this.body[field];
    if (v === undefined || v === null) return ok(undefined);
    return typeof v === 'object' && !Array.isArray(v) ? ok(v as Record<string, unknown>) : system(fieldError(this.method, field, v, goType));
  }

  /** A `map[string]string`. */
  stringMap(field: string): Result<Record<string, string>> {
    const o = this.object(field, 'map[string]string');
    if (!o.ok) return o;
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(o.value ?? {})) {
      if (typeof v !== 'string') return system(fieldError(this.method, `${field}`, v, 'string'));
      out[k] = v;
    }
    return ok(out);
  }

  /** A slice of objects. */
  objects(field: string, goType: string): Result<readonly Readonly<Record<string, unknown>>[]> {
    const v = this.body[field];
    if (v === undefined || v === null) return ok([]);
    if (!Array.isArray(v)) return system(fieldError(this.method, field, v, goType));
    for (const item of v as unknown[]) {
      if (typeof item !== 'object' || item === null || Array.isArray(item)) return system(fieldError(this.method, field, item, goType));
    }
    return ok(v as Record<string, unknown>[]);
  }

  /** The fields of a nested object, read with the same rules. */
  nested(body: Readonly<Record<string, unknown>>): Fields {
    return new Fields(this.method, body);
  }
}
