/**
 * JSON as Go's `encoding/json` writes it, for `docker inspect` and the `{{json}}` template
 * function: struct fields in declaration order (the insertion order of the objects built here),
 * map keys sorted (`goMap`), Go's string escaping, and `json.Indent`'s layout.
 *
 * Models: `encoding/json` `Marshal` (`encodeState.string`: `\"`, `\\`, `\n`, `\r`, `\t`, other
 * control characters as `\u00XX`, U+2028/U+2029 escaped, and with HTML escaping on, `<`, `>`, `&`
 * as `\u003c`, `\u003e`, `\u0026`), `Encoder.SetEscapeHTML(false)` (docker's `json` template
 * function) and `Indent(dst, src, "", "    ")` (docker's inspect output: 4 spaces, `"key": value`,
 * empty objects and arrays as `{}` and `[]`).
 * Leaves out: floating-point formatting (the daemon's JSON carries integers only), `omitempty`
 * (the builders leave such fields out themselves).
 */

/** A JSON value as the daemon's types marshal it. */
export type JsonValue = null | boolean | number | string | readonly JsonValue[] | { readonly [key: string]: JsonValue };

/** A Go map: the same entries with keys sorted as `encoding/json` sorts them (byte order). */
export function goMap(entries: Iterable<readonly [string, JsonValue]>): { [key: string]: JsonValue } {
  const list = [...entries].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const out: { [key: string]: JsonValue } = {};
  for (const [k, v] of list) out[k] = v;
  return out;
}

export interface GoJsonOptions {
  /** `SetEscapeHTML`: true for `json.Marshal`, false for docker's `{{json}}`. */
  readonly escapeHtml?: boolean;
  /** `json.Indent` with this indent (docker inspect: four spaces); compact when absent. */
  readonly indent?: string;
}

const hex4 = (c: number): string => `\\u${c.toString(16).padStart(4, '0')}`;

/** A Go-quoted JSON string. */
export function goJsonString(s: string, escapeHtml = true): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (c < 0x20) out += hex4(c);
    else if (escapeHtml && (ch === '<' || ch === '>' || ch === '&')) out += hex4(c);
    else if (c === 0x2028 || c === 0x2029) out += hex4(c);
    else out += ch;
  }
  return `${out}"`;
}

function isObject(v: JsonValue): v is { readonly [key: string]: JsonValue } {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Encodes `value` as Go would. */
export function goJson(value: JsonValue, options: GoJsonOptions = {}): string {
  const escapeHtml = options.escapeHtml ?? true;
  const indent = options.indent;
  const enc = (v: JsonValue, depth: number): string => {
    if (v === null) return 'null';
    if (typeof v === 'boolean') return v ? 'true' : 'false';
    if (typeof v === 'number') return Number.isFinite(v) ? String(v) : 'null';
    if (typeof v === 'string') return goJsonString(v, escapeHtml);
    const pad = indent === undefined ? '' : `\n${indent.repeat(depth + 1)}`;
    const close = indent === undefined ? '' : `\n${indent.repeat(depth)}`;
    if (Array.isArray(v)) {
      const list = v as readonly JsonValue[];
      if (list.length === 0) return '[]';
      return `[${list.map(x => `${pad}${enc(x, depth + 1)}`).join(',')}${close}]`;
    }
    if (isObject(v)) {
      const keys = Object.keys(v);
      if (keys.length === 0) return '{}';
      const sep = indent === undefined ? ':' : ': ';
      return `{${keys.map(k => `${pad}${goJsonString(k, escapeHtml)}${sep}${enc(v[k]!, depth + 1)}`).join(',')}${close}}`;
    }
    return 'null';
  };
  return enc(value, 0);
}
