/**
 * Go `text/template` parsing, for the `-f/--format` flags of `docker inspect`, `docker ps` and
 * `docker network ls|inspect`.
 *
 * Models: Go `text/template/parse` (`lex.go`, `parse.go`, `node.go`): text and `{{ }}` actions
 * with `{{-`/`-}}` trimming and `{{/* comments *\/}}`; pipelines `a | b` with `$v :=` / `$v =`;
 * operands `.Field.Chain`, `$var.Field`, `$`, `.`, `(pipeline).Field`, strings ("..." and
 * `raw`), numbers, `true`/`false`/`nil`, function names with arguments; `if`/`else if`/`else`,
 * `range` (with `$k, $v :=`), `with`, `end`. Errors read as Go's do: `template: :1: function
 * "foo" not defined`, `template: :1: unexpected EOF`, `template: :1: unclosed action`.
 * Leaves out: `define`/`template`/`block`, `break`/`continue`, complex numbers and character
 * constants, custom delimiters.
 */

export type Node =
  | { readonly type: 'text'; readonly text: string }
  | { readonly type: 'action'; readonly pos: number; readonly pipe: Pipe }
  | BlockNode;

/** `if`, `with` and `range`: a pipeline, a body, and an optional `{{else}}` body. */
export interface BlockNode {
  readonly type: 'if' | 'with' | 'range';
  readonly pos: number;
  readonly pipe: Pipe;
  readonly list: Node[];
  elseList: Node[] | undefined;
}

export interface Pipe {
  readonly pos: number;
  readonly decl: readonly string[];
  readonly isAssign: boolean;
  readonly cmds: readonly Command[];
}

export interface Command {
  readonly pos: number;
  readonly args: readonly Arg[];
}

export type Arg =
  | { readonly type: 'field'; readonly pos: number; readonly ident: readonly string[] }
  | { readonly type: 'variable'; readonly pos: number; readonly name: string; readonly ident: readonly string[] }
  | { readonly type: 'chain'; readonly pos: number; readonly node: Arg; readonly ident: readonly string[] }
  | { readonly type: 'dot'; readonly pos: number }
  | { readonly type: 'identifier'; readonly pos: number; readonly name: string }
  | { readonly type: 'string'; readonly pos: number; readonly value: string; readonly quoted: string }
  | { readonly type: 'number'; readonly pos: number; readonly value: number; readonly text: string }
  | { readonly type: 'bool'; readonly pos: number; readonly value: boolean }
  | { readonly type: 'nil'; readonly pos: number }
  | { readonly type: 'pipe'; readonly pos: number; readonly pipe: Pipe };

export class TemplateError extends Error {}

type Tok =
  | { k: 'field'; v: string; pos: number }
  | { k: 'var'; v: string; pos: number }
  | { k: 'ident' | 'string' | 'raw' | 'number'; v: string; pos: number }
  | { k: '(' | ')' | '|' | ',' | ':=' | '=' | '.' | 'end'; v: string; pos: number };

/** The text of an Arg as Go prints it in error contexts (`<.NetworkSettings.IPAddress>`). */
export function argString(a: Arg): string {
  switch (a.type) {
    case 'field':
      return a.ident.map(i => `.${i}`).join('');
    case 'variable':
      return [a.name, ...a.ident].join('.');
    case 'chain':
      return `${a.node.type === 'pipe' ? `(${pipeString(a.node.pipe)})` : argString(a.node)}${a.ident.map(i => `.${i}`).join('')}`;
    case 'dot':
      return '.';
    case 'identifier':
      return a.name;
    case 'string':
      return a.quoted;
    case 'number':
      return a.text;
    case 'bool':
      return String(a.value);
    case 'nil':
      return 'nil';
    case 'pipe':
      return `(${pipeString(a.pipe)})`;
  }
}

export function pipeString(p: Pipe): string {
  const decl = p.decl.length === 0 ? '' : `${p.decl.join(', ')} ${p.isAssign ? '=' : ':='} `;
  return decl + p.cmds.map(c => c.args.map(argString).join(' ')).join(' | ');
}

const lineOf = (src: string, pos: number): number => src.slice(0, pos).split('\n').length;

/** Splits one action's inside into tokens. */
function lexAction(src: string, start: number, end: number): Tok[] {
  const out: Tok[] = [];
  let i = start;
  const isIdent = (c: string): boolean => /[A-Za-z0-9_]/.test(c);
  while (i < end) {
    const c = src[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
      continue;
    }
    const pos = i;
    if (c === '"' || c === '`') {
      let j = i + 1;
      while (j < end && src[j] !== c) j += c === '"' && src[j] === '\\' ? 2 : 1;
      if (j >= end) throw new TemplateError(`template: :${lineOf(src, pos)}: unterminated ${c === '"' ? 'quoted string' : 'raw quoted string'}`);
      out.push({ k: c === '"' ? 'string' : 'raw', v: src.slice(i, j + 1), pos });
      i = j + 1;
    } else if (c === '.' && i + 1 < end && /[A-Za-z_]/.test(src[i + 1]!)) {
      let j = i + 1;
      while (j < end && isIdent(src[j]!)) j++;
      out.push({ k: 'field', v: src.slice(i + 1, j), pos });
      i = j;
    } else if (c === '$') {
      let j = i + 1;
      while (j < end && isIdent(src[j]!)) j++;
      out.push({ k: 'var', v: src.slice(i, j), pos });
      i = j;
    } else if (c === ':' && src[i + 1] === '=') {
      out.push({ k: ':=', v: ':=', pos });
      i += 2;
    } else if ('()|,=.'.includes(c)) {
      out.push({ k: c as '(' | ')' | '|' | ',' | '=' | '.', v: c, pos });
      i++;
    } else if (/[0-9+-]/.test(c)) {
      let j = i + 1;
      while (j < end && /[0-9a-fA-FxX._]/.test(src[j]!)) j++;
      out.push({ k: 'number', v: src.slice(i, j), pos });
      i = j;
    } else if (/[A-Za-z_]/.test(c)) {
      let j = i + 1;
      while (j < end && isIdent(src[j]!)) j++;
      out.push({ k: 'ident', v: src.slice(i, j), pos });
      i = j;
    } else {
      throw new TemplateError(`template: :${lineOf(src, pos)}: unexpected ${JSON.stringify(c)} in command`);
    }
  }
  out.push({ k: 'end', v: '', pos: end });
  return out;
}

/** The functions a template may call (checked at parse time, as Go does). */
export type FuncNames = ReadonlySet<string>;

interface Frame {
  readonly kind: 'root' | 'if' | 'with' | 'range';
  readonly node: BlockNode | undefined;
  list: Node[];
  inElse: boolean;
  /** `else if` chains end together with one `{{end}}`. */
  readonly closesParent: boolean;
}

/** Parses `src` into a node list. */
export function parseTemplate(src: string, funcs: FuncNames): Node[] {
  const root: Frame = { kind: 'root', node: undefined, list: [], inElse: false, closesParent: false };
  const stack: Frame[] = [root];
  const top = (): Frame => stack[stack.length - 1]!;
  let i = 0;
  let trimNext = false;
  while (i < src.length) {
    const open = src.indexOf('{{', i);
    let text = open === -1 ? src.slice(i) : src.slice(i, open);
    if (trimNext) text = text.replace(/^[ \t\r\n]+/, '');
    trimNext = false;
    if (open === -1) {
      if (text !== '') top().list.push({ type: 'text', text });
      break;
    }
    let start = open + 2;
    if (src[start] === '-' && /[ \t\r\n]/.test(src[start + 1] ?? '')) {
      text = text.replace(/[ \t\r\n]+$/, '');
      start++;
    }
    if (text !== '') top().list.push({ type: 'text', text });
    const close = src.indexOf('}}', start);
    if (close === -1) throw new TemplateError(`template: :${lineOf(src, open)}: unclosed action`);
    let end = close;
    if (src[close - 1] === '-' && /[ \t\r\n]/.test(src[close - 2] ?? '')) {
      end = close - 1;
      trimNext = true;
    }
    i = close + 2;
    const inner = src.slice(start, end).trim();
    if (inner.startsWith('/*')) {
      if (!inner.endsWith('*/')) throw new TemplateError(`template: :${lineOf(src, open)}: unclosed comment`);
      continue;
    }
    const toks = lexAction(src, start, end);
    const parser = new ActionParser(src, toks, funcs);
    const first = toks[0]!;
    if (first.k === 'end') throw new TemplateError(`template: :${lineOf(src, open)}: missing value for command`);
    const kw = first.k === 'ident' ? first.v : '';
    if (kw === 'if' || kw === 'with' || kw === 'range') {
      parser.next();
      const pipe = parser.pipeline(kw, kw === 'range' ? 2 : 1);
      const node: BlockNode = { type: kw, pos: first.pos, pipe, list: [], elseList: undefined };
      top().list.push(node);
      stack.push({ kind: kw, node, list: node.list, inElse: false, closesParent: false });
    } else if (kw === 'else') {
      const f = top();
      if (f.kind === 'root' || f.inElse) throw new TemplateError(`template: :${lineOf(src, open)}: unexpected {{else}}`);
      parser.next();
      const elseList: Node[] = [];
      f.node!.elseList = elseList;
      f.inElse = true;
      f.list = elseList;
      const nxt = parser.peek();
      if (nxt.k === 'ident' && (nxt.v === 'if' || nxt.v === 'with') && f.kind === nxt.v) {
        parser.next();
        const pipe = parser.pipeline(nxt.v, 1);
        const node: BlockNode = { type: nxt.v, pos: nxt.pos, pipe, list: [], elseList: undefined };
        elseList.push(node);
        stack.push({ kind: nxt.v, node, list: node.list, inElse: false, closesParent: true });
      } else if (nxt.k !== 'end') {
        throw new TemplateError(`template: :${lineOf(src, open)}: unexpected ${JSON.stringify(nxt.v)} in else`);
      }
    } else if (kw === 'end') {
      if (toks.length > 2) throw new TemplateError(`template: :${lineOf(src, open)}: unexpected ${JSON.stringify(toks[1]!.v)} in end`);
      let f = stack.pop()!;
      if (f.kind === 'root') throw new TemplateError(`template: :${lineOf(src, open)}: unexpected {{end}}`);
      while (f.closesParent) f = stack.pop()!;
    } else if (['define', 'template', 'block', 'break', 'continue'].includes(kw)) {
      throw new TemplateError(`template: :${lineOf(src, open)}: {{${kw}}} is not supported by cnmsim`);
    } else {
      const pipe = parser.pipeline('command', 1);
      top().list.push({ type: 'action', pos: first.pos, pipe });
    }
  }
  if (stack.length > 1) throw new TemplateError(`template: :${lineOf(src, src.length)}: unexpected EOF`);
  return root.list;
}

class ActionParser {
  #i = 0;
  constructor(
    private readonly src: string,
    private readonly toks: Tok[],
    private readonly funcs: FuncNames,
  ) {}

  peek(): Tok {
    return this.toks[this.#i]!;
  }

  next(): Tok {
    return this.toks[this.#i++]!;
  }

  #fail(message: string, pos: number): never {
    throw new TemplateError(`template: :${lineOf(this.src, pos)}: ${message}`);
  }

  /** `pipeline`: optional declarations, then commands separated by `|`, up to `end` or `)`. */
  pipeline(context: string, maxDecl: number): Pipe {
    const pos = this.peek().pos;
    const decl: string[] = [];
    let isAssign = false;
    const save = this.#i;
    if (this.peek().k === 'var') {
      const names = [this.next().v];
      while (maxDecl > 1 && this.peek().k === ',' && names.length < maxDecl) {
        this.next();
        if (this.peek().k !== 'var') this.#fail(`range can only initialize variables`, this.peek().pos);
        names.push(this.next().v);
      }
      const t = this.peek();
      if (t.k === ':=' || t.k === '=') {
        this.next();
        decl.push(...names);
        isAssign = t.k === '=';
      } else {
        this.#i = save;
      }
    }
    const cmds: Command[] = [];
    for (;;) {
      const t = this.peek();
      if (t.k === 'end' || t.k === ')') break;
      cmds.push(this.command());
      if (this.peek().k === '|') this.next();
    }
    if (cmds.length === 0) this.#fail(`missing value for ${context}`, pos);
    return { pos, decl, isAssign, cmds };
  }

  command(): Command {
    const pos = this.peek().pos;
    const args: Arg[] = [];
    for (;;) {
      const t = this.peek();
      if (t.k === 'end' || t.k === ')' || t.k === '|') break;
      args.push(this.operand());
    }
    if (args.length === 0) this.#fail('empty command', pos);
    return { pos, args };
  }

  operand(): Arg {
    const t = this.next();
    let node: Arg;
    switch (t.k) {
      case 'field': {
        const ident = [t.v];
        while (this.peek().k === 'field' && this.peek().pos === this.#prevEnd()) ident.push(this.next().v);
        return { type: 'field', pos: t.pos, ident };
      }
      case 'var': {
        const ident: string[] = [];
        while (this.peek().k === 'field' && this.peek().pos === this.#prevEnd()) ident.push(this.next().v);
        return { type: 'variable', pos: t.pos, name: t.v, ident };
      }
      case '.':
        return { type: 'dot', pos: t.pos };
      case 'string':
        node = { type: 'string', pos: t.pos, value: unquote(t.v), quoted: t.v };
        break;
      case 'raw':
        node = { type: 'string', pos: t.pos, value: t.v.slice(1, -1), quoted: t.v };
        break;
      case 'number': {
        const n = Number(t.v.replace(/_/g, ''));
        if (!Number.isFinite(n)) this.#fail(`bad number syntax: ${JSON.stringify(t.v)}`, t.pos);
        node = { type: 'number', pos: t.pos, value: n, text: t.v };
        break;
      }
      case 'ident':
        if (t.v === 'true' || t.v === 'false') node = { type: 'bool', pos: t.pos, value: t.v === 'true' };
        else if (t.v === 'nil') node = { type: 'nil', pos: t.pos };
        else if (!this.funcs.has(t.v)) this.#fail(`function ${JSON.stringify(t.v)} not defined`, t.pos);
        else node = { type: 'identifier', pos: t.pos, name: t.v };
        break;
      case '(': {
        const pipe = this.pipeline('parenthesized pipeline', 1);
        if (this.next().k !== ')') this.#fail('unclosed left paren', t.pos);
        node = { type: 'pipe', pos: t.pos, pipe };
        break;
      }
      case ',':
      case ':=':
      case '=':
      case ')':
      case '|':
      case 'end':
        this.#fail(`unexpected ${JSON.stringify(t.v === '' ? 'EOF' : t.v)} in operand`, t.pos);
    }
    const ident: string[] = [];
    while (this.peek().k === 'field' && this.peek().pos === this.#prevEnd()) ident.push(this.next().v);
    return ident.length === 0 ? node : { type: 'chain', pos: t.pos, node, ident };
  }

  /** Where the previous token ended (fields chain only when written without a space). */
  #prevEnd(): number {
    const p = this.toks[this.#i - 1]!;
    return p.pos + (p.k === 'field' ? p.v.length + 1 : p.v.length);
  }
}

const ESCAPES: Readonly<Record<string, string>> = { n: '\n', r: '\r', t: '\t' };

function unquote(q: string): string {
  return q.slice(1, -1).replace(/\\(["\\nrt]|x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4})/g, (_m, e: string) => {
    if (e.length > 1) return String.fromCharCode(parseInt(e.slice(1), 16));
    return ESCAPES[e] ?? e;
  });
}
