/**
 * Go `text/template` execution over the JSON-like values the docker CLI formats: `docker
 * inspect -f` runs over the object's JSON (the CLI's raw fallback, `missingkey=error`), `docker
 * ps`/`network ls --format` over a row object whose type name errors mention.
 *
 * Models: Go `text/template/exec.go`: field chains on maps (`map has no entry for key "X"`) and
 * structs (`can't evaluate field X in type T`), `nil pointer evaluating interface {}.X`,
 * `range` over arrays and maps (keys sorted), `if`/`with`/`else`, variables and their scopes,
 * pipelines with the piped value as the last argument, and the error context: `template: :1:2:
 * executing "" at <.Foo>: map has no entry for key "Foo"`. The functions and printing are in
 * go-template-funcs.ts.
 * Leaves out: methods with arguments, `define`/`template` (refused at parse time).
 */
import type { JsonValue } from './go-json.js';
import { ExecError, FUNCS, call, goSprint, isObject, truth, type Value } from './go-template-funcs.js';
import { argString, parseTemplate, TemplateError, type Arg, type BlockNode, type Command, type Node, type Pipe } from './go-template-parse.js';

export interface TemplateOptions {
  /** The Go type of a struct-like object, for `can't evaluate field` errors; maps return undefined. */
  readonly typeOf?: (v: object) => string | undefined;
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
