/**
 * Canonical JSON: one byte-exact text per value, so equal values hash equally.
 *
 * Models: the idea of RFC 8785 (JSON Canonicalization Scheme): object keys sorted, no
 * insignificant white space, numbers as ECMAScript prints them. Keys are sorted by UTF-16 code
 * units, which is what RFC 8785 specifies and what `Array.prototype.sort` does.
 *
 * Leaves out: RFC 8785's exact number serialisation for exotic doubles (ECMAScript's
 * `Number.prototype.toString` already matches it), `toJSON` methods, Maps and Sets.
 *
 * Invariants: the output parses back with `JSON.parse` to an equal value; it does not depend on
 * the order in which an object's keys were inserted. Properties whose value is `undefined` are
 * left out (an absent optional field and an undefined one are the same record). Values JSON cannot
 * carry faithfully (NaN, Infinity, bigint, functions, symbols, undefined array items) throw
 * `InvariantError` instead of being silently changed.
 */

import { fail } from './assert.js';

/** Serialises `value` with sorted keys and no white space. */
export function canonicalJson(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) {
        fail(`canonicalJson: ${value} has no JSON form`);
      }
      return JSON.stringify(value);
    case 'object':
      if (value === null) {
        return 'null';
      }
      if (Array.isArray(value)) {
        return `[${value.map(item => {
          if (item === undefined) {
            fail('canonicalJson: arrays must not hold undefined');
          }
          return canonicalJson(item);
        }).join(',')}]`;
      }
      return canonicalObject(value as Record<string, unknown>);
    case 'undefined':
    case 'bigint':
    case 'function':
    case 'symbol':
      return fail(`canonicalJson: a ${typeof value} has no JSON form`);
  }
}

function canonicalObject(object: Record<string, unknown>): string {
  const parts: string[] = [];
  for (const key of Object.keys(object).sort()) {
    const item = object[key];
    if (item !== undefined) {
      parts.push(`${JSON.stringify(key)}:${canonicalJson(item)}`);
    }
  }
  return `{${parts.join(',')}}`;
}
