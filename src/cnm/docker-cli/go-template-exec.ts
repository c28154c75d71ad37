/**
 * Go `text/template` execution over the JSON-like values the docker CLI formats: `docker
 * inspect -f` runs over the object's JSON (the CLI's raw fallback, `missingkey=error`), `docker
 * ps`/`network ls --format` over a row object whose type name errors mention.
 *
 * Models: Go `text/template/exec.go` and `funcs.go`: field chains on maps (`map has no entry for
 * key "X"`) and structs (`can't evaluate field X in type T`), `nil pointer evaluating interface
 * {}.X`, `range` over arrays and maps (keys sorted), variables and their scopes, truth as
 * `isTrue`, printing as `fmt.Sprint` (`map[k:v]`, `[a b]`, `<nil>`, `<no value>`), the builtins
 * `and or not len index print printf println eq ne lt le gt ge html js urlquery slice`, and
 * docker/cli's `templates` functions `json split join title lower upper pad truncate`. Errors:
 * `template: :1:2: executing "" at <.Foo>: map has no entry for key "Foo"`.
 * A JSON `null` prints as the typed zero Go would print for the fields the daemon declares as
 * slices (`[]`) or maps (`map[]`), and `<nil>` otherwise (docker formats the typed struct first).
 * Leaves out: methods with arguments, `call`, complex numbers, `printf` verbs other than
 * `%s %v %d %q %t %x %%` with width, `-` and `0` flags.
 */
import { goJson, type JsonValue } from './go-json.js';
import { argString, parseTemplate, TemplateError, type Arg, type BlockNode, type Command, type Node, type Pipe } from './go-template-parse.js';

/** A value during execution: JSON, or `undefined` for Go's invalid value (`<no value>`). */
type Value = JsonValue | undefined;

/** Field names the daemon's Go types declare as slices and maps (their nil prints `[]`, `map[]`). */
const NIL_SLICE_FIELDS = new Set(['Aliases', 'Links', 'Args', 'Cmd', 'Entrypoint', 'Env', 'Dns', 'DnsSearch', 'DnsOptions', 'ExtraHosts', 'SecondaryIPAddresses', 'SecondaryIPv6Addresses', 'Mounts', 'CapAdd', 'CapDrop', 'LinkLocalIPs', 'Config']);
const NIL_MAP_FIELDS = new Set(['DriverOpts', 'Labels', 'Options', 'Ports', 'PortBindings', 'ExposedPorts', 'Volumes', 'Containers', 'Networks']);

export interface TemplateOptions {
  /** The Go type of a struct-like object, for `can't evaluate field` errors; maps return undefined. */
  readonly typeOf?: (v: object) => string | undefined;
}

const BUILTINS = ['and', 'or', 'not', 'len', 'index', 'print', 'printf', 'println', 'eq', 'ne', 'lt', 'le', 'gt', 'ge', 'html', 'js', 'urlquery', 'slice'];
const DOCKER_FUNCS = ['json', 'split', 'join', 'title', 'lower', 'upper', 'pad', 'truncate'];
const FUNCS = new Set([...BUILTINS, ...DOCKER_FUNCS]);

class ExecError extends Error {}

function isObject(v: Value): v is { readonly [k: string]: JsonValue } {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `isTrue`: the zero value of its type is false. */
function truth(v: Value): boolean {
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

function call(name: string, args: Value[]): Value {
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

class Executor {
  readonly #vars: { name: string; value: Value }[] = [];
  #out = '';
  #lastField: string | undefined;

  constructor(
    private readonly src: string,
    private readonly options: TemplateOptions,
  ) {}

  run(nodes: readonly Node[], data: Value): string {
    this.#vars.push({ name: '$', value: data });
    this.#list(nodes, data);
    return this.#out;
  }

  #fail(pos: number, node: string, message: string): never {
    const before = this.src.slice(0, pos);
    const line = before.split('\n').length;
    const col = pos - (before.lastIndexOf('\n') + 1);
    throw new ExecError(`template: :${line}:${col}: executing "" at <${node}>: ${message}`);
  }

  #list(nodes: readonly Node[], dot: Value): void {
    for (const n of nodes) {
      const mark = this.#vars.length;
      switch (n.type) {
        case 'text':
          this.#out += n.text;
          break;
        case 'action': {
          this.#lastField = undefined;
          const v = this.#pipe(n.pipe, dot);
          if (n.pipe.decl.length === 0) this.#out += goSprint(v, this.#lastField);
          continue; // declarations stay visible until the end of the enclosing list
        }
        case 'if':
        case 'with': {
          const v = this.#pipe(n.pipe, dot);
          if (truth(v)) this.#list(n.list, n.type === 'with' ? v : dot);
          else if (n.elseList !== undefined) this.#list(n.elseList, dot);
          break;
        }
        case 'range':
          this.#range(n, dot);
          break;
      }
      this.#vars.length = mark;
    }
  }

  #range(n: BlockNode, dot: Value): void {
    const v = this.#pipe({ ...n.pipe, decl: [] }, dot);
    let items: [Value, Value][];
    if (v === null || v === undefined) items = [];
    else if (Array.isArray(v)) items = (v as readonly JsonValue[]).map((x, i) => [i, x]);
    else if (isObject(v)) items = Object.keys(v).sort().map(k => [k, v[k]]);
    else this.#fail(n.pipe.pos, pipeText(n.pipe), `range can't iterate over ${goSprint(v)}`);
    if (items.length === 0) {
      if (n.elseList !== undefined) this.#list(n.elseList, dot);
      return;
    }
    for (const [k, x] of items) {
      const mark = this.#vars.length;
      if (n.pipe.decl.length === 1) this.#vars.push({ name: n.pipe.decl[0]!, value: x });
      if (n.pipe.decl.length === 2) this.#vars.push({ name: n.pipe.decl[0]!, value: k }, { name: n.pipe.decl[1]!, value: x });
      this.#list(n.list, x);
      this.#vars.length = mark;
    }
  }

  #pipe(p: Pipe, dot: Value): Value {
    let v: Value = undefined;
    let first = true;
    for (const c of p.cmds) {
      v = this.#command(c, dot, first ? undefined : { value: v });
      first = false;
    }
    if (p.decl.length > 0) {
      if (p.isAssign) {
        const slot = [...this.#vars].reverse().find(x => x.name === p.decl[0]);
        if (slot === undefined) this.#fail(p.pos, pipeText(p), `undefined variable: ${p.decl[0]}`);
        slot.value = v ?? null;
      } else {
        this.#vars.push({ name: p.decl[0]!, value: v });
      }
    }
    return v;
  }

  #command(c: Command, dot: Value, final: { value: Value } | undefined): Value {
    const [head, ...rest] = c.args;
    if (head === undefined) return undefined;
    if (head.type === 'identifier') {
      const args = rest.map(a => this.#arg(a, dot));
      if (final !== undefined) args.push(final.value);
      try {
        const r = call(head.name, args);
        this.#lastField = undefined;
        return r;
      } catch (e) {
        if (e instanceof ExecError && !e.message.startsWith('template:')) this.#fail(head.pos, head.name, e.message);
        throw e;
      }
    }
    if (rest.length > 0 || final !== undefined) {
      if (head.type === 'field' || head.type === 'chain' || head.type === 'variable') {
        this.#fail(head.pos, argString(head), `${argString(head).split('.').pop() ?? ''} is not a method but has arguments`);
      }
      this.#fail(head.pos, argString(head), `can't give argument to non-function ${argString(head)}`);
    }
    return this.#arg(head, dot);
  }

  #arg(a: Arg, dot: Value): Value {
    switch (a.type) {
      case 'dot':
        return dot;
      case 'string':
        return a.value;
      case 'number':
        return a.value;
      case 'bool':
        return a.value;
      case 'nil':
        this.#fail(a.pos, 'nil', 'nil is not a command');
        break;
      case 'identifier':
        return call(a.name, []);
      case 'field':
        return this.#fields(dot, a.ident, a);
      case 'variable': {
        const slot = [...this.#vars].reverse().find(x => x.name === a.name);
        if (slot === undefined) this.#fail(a.pos, a.name, `undefined variable: ${a.name}`);
        return this.#fields(slot.value, a.ident, a);
      }
      case 'pipe':
        return this.#pipe(a.pipe, dot);
      case 'chain':
        return this.#fields(this.#arg(a.node, dot), a.ident, a);
    }
    return undefined;
  }

  #fields(receiver: Value, ident: readonly string[], at: Arg): Value {
    let v = receiver;
    for (const name of ident) {
      if (isObject(v)) {
        const type = this.options.typeOf?.(v);
        if (!Object.hasOwn(v, name)) {
          if (type !== undefined) this.#fail(at.pos, argString(at), `can't evaluate field ${name} in type ${type}`);
          this.#fail(at.pos, argString(at), `map has no entry for key ${JSON.stringify(name)}`);
        }
        v = v[name];
        this.#lastField = name;
      } else if (v === null || v === undefined) {
        this.#fail(at.pos, argString(at), `nil pointer evaluating interface {}.${name}`);
      } else {
        this.#fail(at.pos, argString(at), `can't evaluate field ${name} in type ${Array.isArray(v) ? '[]interface {}' : typeof v === 'number' ? 'float64' : typeof v}`);
      }
    }
    return v;
  }
}

function pipeText(p: Pipe): string {
  return p.cmds.map(c => c.args.map(argString).join(' ')).join(' | ');
}

/** A parsed template, ready to run over many values. */
export class GoTemplate {
  readonly #nodes: Node[];
  readonly #src: string;

  private constructor(src: string, nodes: Node[]) {
    this.#src = src;
    this.#nodes = nodes;
  }

  /** Parses `src`; the error text is Go's (`template: :1: function "x" not defined`). */
  static parse(src: string): { ok: true; value: GoTemplate } | { ok: false; error: string } {
    try {
      return { ok: true, value: new GoTemplate(src, parseTemplate(src, FUNCS)) };
    } catch (e) {
      if (e instanceof TemplateError) return { ok: false, error: e.message };
      throw e;
    }
  }

  execute(data: JsonValue, options: TemplateOptions = {}): { ok: true; value: string } | { ok: false; error: string } {
    try {
      return { ok: true, value: new Executor(this.#src, options).run(this.#nodes, data) };
    } catch (e) {
      if (e instanceof ExecError) return { ok: false, error: e.message.startsWith('template:') ? e.message : `template: :1:0: executing "" at <>: ${e.message}` };
      throw e;
    }
  }
}
