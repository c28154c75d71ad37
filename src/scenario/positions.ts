/**
 * Source positions of a scenario file: from a data path (['steps', 3, 'on']) to `file:line:col`.
 *
 * Models: the approach of npm-ecosystem.md section 2e: parse with the `yaml` library's
 * `parseDocument` and a `LineCounter`, walk the YAML AST along the path, and turn the node's start
 * offset into a 1-based line and column. An unknown key points at the key itself; a missing key at
 * the mapping that should hold it; an empty value (`name:`) at its key, since there is nothing else
 * to point at. A path that leaves the document (a default host, an alias) stops at the nearest node
 * that exists, which is still the right neighbourhood.
 *
 * Offsets inside a string (the opening quote of an unterminated quote in a command line) are mapped
 * exactly for plain and quoted scalars whose source spells the value without escapes or folding;
 * otherwise they point at the start of the scalar.
 *
 * Leaves out: following aliases (`*a` is reported where it is used, not where `&a` defines it).
 */
import { isMap, isNode, isPair, isScalar, isSeq, Scalar, type Document, type LineCounter, type Node } from 'yaml';
import type { IssuePath } from './issues.js';

export interface SourcePosition {
  readonly line: number;
  readonly column: number;
}

interface Found {
  /** The deepest node reached along the path. */
  readonly node: Node | undefined;
  /** The key node of the last mapping entry walked into, when that entry is the whole path. */
  readonly key: Node | undefined;
  /** How many path segments were matched. */
  readonly depth: number;
}

export class PositionIndex {
  constructor(
    readonly file: string,
    private readonly text: string,
    private readonly doc: Document,
    private readonly lines: LineCounter,
  ) {}

  /** Position of the character at `offset` in the file. */
  ofOffset(offset: number): SourcePosition {
    const { line, col } = this.lines.linePos(Math.max(0, Math.min(offset, this.text.length)));
    return { line, column: col };
  }

  /** Position of the value at `path`, or of its nearest ancestor that exists in the file. */
  at(path: IssuePath): SourcePosition {
    const found = this.find(path);
    const node = found.node;
    if (found.depth === path.length && found.key !== undefined && isScalar(node) && node.value === null && node.source === '') {
      return this.start(found.key);
    }
    return node === undefined ? this.documentStart() : this.start(node);
  }

  /** Position of the key of the last path segment (for an unknown key), else as `at`. */
  keyAt(path: IssuePath): SourcePosition {
    const found = this.find(path);
    if (found.depth === path.length && found.key !== undefined) return this.start(found.key);
    return this.at(path);
  }

  /** Position of the character at `index` of the string value at `path`. */
  inString(path: IssuePath, index: number): SourcePosition {
    const found = this.find(path);
    const node = found.node;
    if (found.depth !== path.length || !isScalar(node) || typeof node.value !== 'string' || !node.range) {
      return this.at(path);
    }
    const value = node.value;
    const raw = this.text.slice(node.range[0], node.range[1]);
    const opening = node.type === Scalar.QUOTE_DOUBLE || node.type === Scalar.QUOTE_SINGLE ? 1 : 0;
    const body = raw.slice(opening, opening === 1 ? raw.length - 1 : raw.length);
    if (body === value) return this.ofOffset(node.range[0] + opening + index);
    if (node.type === Scalar.QUOTE_SINGLE && body === value.replaceAll("'", "''")) {
      const doubledBefore = value.slice(0, index).split("'").length - 1;
      return this.ofOffset(node.range[0] + 1 + index + doubledBefore);
    }
    return this.at(path);
  }

  /** The source text of the scalar at `path`, as written (`1.10`, not `1.1`). */
  source(path: IssuePath): string | undefined {
    const found = this.find(path);
    if (found.depth !== path.length || !isScalar(found.node) || !found.node.range) return undefined;
    return this.text.slice(found.node.range[0], found.node.range[1]).trimEnd();
  }

  /** Whether the value at `path` is written in the file (false for defaults and through aliases). */
  has(path: IssuePath): boolean {
    return this.find(path).depth === path.length;
  }

  /** `file:line:col` of the value at `path`, for messages found while running the scenario. */
  where(path: IssuePath): string {
    const { line, column } = this.at(path);
    return `${this.file}:${line}:${column}`;
  }

  private start(node: Node): SourcePosition {
    return node.range === undefined || node.range === null ? this.documentStart() : this.ofOffset(node.range[0]);
  }

  private documentStart(): SourcePosition {
    const contents = this.doc.contents;
    return contents?.range ? this.ofOffset(contents.range[0]) : { line: 1, column: 1 };
  }

  private find(path: IssuePath): Found {
    let node: Node | undefined = this.doc.contents ?? undefined;
    let key: Node | undefined;
    let depth = 0;
    for (const segment of path) {
      if (isMap(node)) {
        const pair = node.items.find((item) => isPair(item) && keyText(item.key) === String(segment));
        if (pair === undefined) break;
        key = isNode(pair.key) ? pair.key : undefined;
        // `key:` with nothing after it has no value node; the key stands in for it.
        const value: unknown = pair.value;
        node = isNode(value) ? value : (key ?? node);
      } else if (isSeq(node) && typeof segment === 'number') {
        const item: unknown = node.items[segment];
        if (!isNode(item)) break;
        node = item;
        key = undefined;
      } else {
        break;
      }
      depth += 1;
    }
    return { node, key: depth === path.length ? key : undefined, depth };
  }
}

function keyText(key: unknown): string | undefined {
  if (isScalar(key)) return String(key.value);
  return undefined;
}
