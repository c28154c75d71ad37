/**
 * The functions and value printing of Go templates as docker's `--format` runs them.
 *
 * Models: Go `text/template/funcs.go` (`and or not len index print printf println eq ne lt le
 * gt ge html js urlquery slice`; `index` of a missing map key gives the invalid value that
 * prints `<no value>`), `exec.go` `isTrue`, `fmt.Sprint`/`Sprintf` for the values JSON carries
 * (`map[k:v]` with sorted keys, `[a b]`, `<nil>`), and docker/cli `templates/templates.go`
 * (`json` without HTML escaping, `split`, `join`, `title`, `lower`, `upper`, `pad`, `truncate`).
 * A JSON `null` prints as the typed zero Go would print for the fields the daemon declares as
 * slices (`[]`) or maps (`map[]`), and `<nil>` otherwise (docker formats the typed struct first).
 * Leaves out: `call`, complex numbers, `printf` verbs other than `%s %v %d %q %t %x %%` with
 * width, `-` and `0` flags.
 */
import { goJson, type JsonValue } from './go-json.js';

/** A value during execution: JSON, or `undefined` for Go's invalid value (`<no value>`). */
export type Value = JsonValue | undefined;

/** Field names the daemon's Go types declare as slices and maps (their nil prints `[]`, `map[]`). */
const NIL_SLICE_FIELDS = new Set(['Aliases', 'Links', 'Args', 'Cmd', 'Entrypoint', 'Env', 'Dns', 'DnsSearch', 'DnsOptions', 'ExtraHosts', 'SecondaryIPAddresses', 'SecondaryIPv6Addresses', 'Mounts', 'CapAdd', 'CapDrop', 'LinkLocalIPs', 'Config']);
const NIL_MAP_FIELDS = new Set(['DriverOpts', 'Labels', 'Options', 'Ports', 'PortBindings', 'ExposedPorts', 'Volumes', 'Containers', 'Networks']);


const BUILTINS = ['and', 'or', 'not', 'len', 'index', 'print', 'printf', 'println', 'eq', 'ne', 'lt', 'le', 'gt', 'ge', 'html', 'js', 'urlquery', 'slice'];
const DOCKER_FUNCS = ['json', 'split', 'join', 'title', 'lower', 'upper', 'pad', 'truncate'];
/** Every function name a template may call. */
export const FUNCS: ReadonlySet<string> = new Set([...BUILTINS, ...DOCKER_FUNCS]);

/** A failure while executing; the executor adds Go's `template: :1:2: executing ...` context. */
export class ExecError extends Error {}

export function isObject(v: Value): v is { readonly [k: string]: JsonValue } {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `isTrue`: the zero value of its type is false. */
export function truth(v: Value): boolean {
  if (v === undefined || v === null) return false;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v !== 0;
  if (typeof v === 'string') return v !== '';
  if (Array.isArray(v)) return v.length > 0;
  return Object.keys(v).length > 0;
}

/** `fmt.Sprint` of one value; `field` is the Go field it came from, for typed nils. */
export function goSprint(v: Value, field?: string): string {
  if (v === undefined) return '<no value>';
  if (v === null) {
    if (field !== undefined && NIL_SLICE_FIELDS.has(field)) return '[]';
    if (field !== undefined && NIL_MAP_FIELDS.has(field)) return 'map[]';
    return '<nil>';
  }
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `[${(v as readonly JsonValue[]).map(x => goSprint(x)).join(' ')}]`;
  const o = v as { readonly [k: string]: JsonValue };
  const keys = Object.keys(o).sort();
  return `map[${keys.map(k => `${k}:${goSprint(o[k])}`).join(' ')}]`;
}

function goQuote(s: string): string {
  return JSON.stringify(s);
}

/** `fmt.Sprintf` for the verbs templates use. */
export function goSprintf(format: string, args: readonly Value[]): string {
  let ai = 0;
  return format.replace(/%([-0+ #]*)(\d*)(?:\.(\d+))?([a-zA-Z%])/g, (_m, flags: string, width: string, prec: string | undefined, verb: string) => {
    if (verb === '%') return '%';
    if (ai >= args.length) return `%!${verb}(MISSING)`;
    const a = args[ai++];
    let s: string;
    switch (verb) {
      case 'd':
        s = typeof a === 'number' ? String(Math.trunc(a)) : `%!d(${typeof a === 'string' ? 'string' : 'value'}=${goSprint(a)})`;
        break;
      case 'q':
        s = goQuote(goSprint(a));
        break;
      case 'x':
        s = typeof a === 'number' ? a.toString(16) : [...new TextEncoder().encode(goSprint(a))].map(b => b.toString(16).padStart(2, '0')).join('');
        break;
      default:
        s = goSprint(a);
    }
    if (prec !== undefined && (verb === 's' || verb === 'v')) s = s.slice(0, Number(prec));
    const w = width === '' ? 0 : Number(width);
    if (s.length < w) s = flags.includes('-') ? s.padEnd(w) : s.padStart(w, flags.includes('0') && verb === 'd' ? '0' : ' ');
    return s;
  });
}

/** `print`: spaces between operands when neither side is a string. */
function goPrint(args: readonly Value[]): string {
  let out = '';
  args.forEach((a, i) => {
    if (i > 0 && typeof a !== 'string' && typeof args[i - 1] !== 'string') out += ' ';
    out += goSprint(a);
  });
  return out;
}

function compare(a: Value, b: Value, op: string): boolean {
  if (typeof a === 'number' && typeof b === 'number') return op === 'lt' ? a < b : op === 'le' ? a <= b : op === 'gt' ? a > b : a >= b;
  if (typeof a === 'string' && typeof b === 'string') return op === 'lt' ? a < b : op === 'le' ? a <= b : op === 'gt' ? a > b : a >= b;
  throw new ExecError(`error calling ${op}: incompatible types for comparison`);
}

function basicEq(a: Value, b: Value): boolean {
  if (a === undefined || b === undefined) return a === b;
  if (typeof a === 'object' || typeof b === 'object') {
    if (a === null || b === null) return a === b;
    throw new ExecError('error calling eq: non-comparable types');
  }
  if (typeof a !== typeof b) throw new ExecError('error calling eq: incompatible types for comparison');
  return a === b;
}

export function call(name: string, args: Value[]): Value {
  const str = (i: number): string => {
    const v = args[i];
    if (typeof v !== 'string') throw new ExecError(`wrong type for value; expected string; got ${v === null || v === undefined ? 'interface {}' : typeof v}`);
    return v;
  };
  const num = (i: number): number => {
    const v = args[i];
    if (typeof v !== 'number') throw new ExecError(`wrong type for value; expected int; got ${typeof v}`);
    return v;
  };
  switch (name) {
    case 'json':
      return goJson(args[0] ?? null, { escapeHtml: false });
    case 'split':
      return str(0).split(str(1));
    case 'join': {
      const a = args[0];
      if (!Array.isArray(a)) throw new ExecError('wrong type for value; expected []string');
      return (a as readonly JsonValue[]).map(x => goSprint(x)).join(str(1));
    }
    case 'title':
      return str(0).replace(/(^|[^A-Za-z0-9_'])([a-z])/g, (_m, p: string, c: string) => p + c.toUpperCase());
    case 'lower':
      return str(0).toLowerCase();
    case 'upper':
      return str(0).toUpperCase();
    case 'pad':
      return ' '.repeat(num(1)) + str(0) + ' '.repeat(num(2));
    case 'truncate':
      return str(0).length < num(1) ? str(0) : str(0).slice(0, num(1));
    case 'and':
      return args.find(a => !truth(a)) ?? args[args.length - 1];
    case 'or':
      return args.find(a => truth(a)) ?? args[args.length - 1];
    case 'not':
      return !truth(args[0]);
    case 'len': {
      const a = args[0];
      if (typeof a === 'string' || Array.isArray(a)) return a.length;
      if (isObject(a)) return Object.keys(a).length;
      throw new ExecError(`error calling len: len of type ${a === null ? 'interface {}' : typeof a}`);
    }
    case 'index': {
      let v = args[0];
      for (const k of args.slice(1)) {
        if (Array.isArray(v)) {
          if (typeof k !== 'number' || k < 0 || k >= v.length) throw new ExecError(`error calling index: index out of range: ${goSprint(k)}`);
          v = (v as readonly JsonValue[])[k];
        } else if (isObject(v)) {
          v = typeof k === 'string' && Object.hasOwn(v, k) ? v[k] : undefined;
        } else if (v === null || v === undefined) {
          throw new ExecError('error calling index: index of untyped nil');
        } else {
          throw new ExecError(`error calling index: can't index item of type ${typeof v}`);
        }
      }
      return v;
    }
    case 'slice': {
      const v = args[0];
      if (typeof v !== 'string' && !Array.isArray(v)) throw new ExecError('error calling slice: can\'t slice item');
      const from = args[1] === undefined ? 0 : num(1);
      const to = args[2] === undefined ? v.length : num(2);
      return v.slice(from, to) as Value;
    }
    case 'print':
      return goPrint(args);
    case 'println':
      return `${args.map(a => goSprint(a)).join(' ')}\n`;
    case 'printf':
      return goSprintf(str(0), args.slice(1));
    case 'eq':
      return args.slice(1).some(b => basicEq(args[0], b));
    case 'ne':
      return !basicEq(args[0], args[1]);
    case 'lt':
    case 'le':
    case 'gt':
    case 'ge':
      return compare(args[0], args[1], name);
    case 'html':
      return goPrint(args).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&#34;').replace(/'/g, '&#39;');
    case 'js':
      return goPrint(args).replace(/[\\'"<>&=]/g, c => `\\u${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`);
    case 'urlquery':
      return encodeURIComponent(goPrint(args)).replace(/%20/g, '+');
    default:
      throw new ExecError(`function ${JSON.stringify(name)} not defined`);
  }
}
