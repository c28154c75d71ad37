/**
 * Turns zod's issues for a scenario file into sentences a person can act on: what was expected at
 * that place, what was found, and for a misspelt key the closest valid one.
 *
 * Models: zod 4's issue codes (`invalid_type`, `unrecognized_keys`, `invalid_union`, ...; see
 * `zod/v4/core/errors.d.ts`). zod knows what went wrong but not the words of this file, so the
 * expected side of each message is read from the schema at the issue's path (schema.ts), and the
 * found side from the data and the YAML source (`1.10` as written, not `1.1`).
 *
 * Steps and expectations are unions of variants with one kind key each. When none matches, zod
 * reports every variant's complaints; here the variant whose kind key the item has is taken as the
 * one meant, and only its issues are shown. An item with no kind key, or with two, gets one
 * message saying which keys are possible.
 *
 * Leaves out: zod's own message text, which is used only for codes the schemas never produce.
 */
import * as z from 'zod';
import { describeFound, didYouMean, fieldLabel, listWords, type IssuePath, type PendingIssue } from './issues.js';
import type { PositionIndex } from './positions.js';
import { ScenarioSchema } from './schema.js';

type ZodIssue = z.core.$ZodIssue;
type Schema = z.core.$ZodType;

function isRow(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function valueAt(data: unknown, path: IssuePath): unknown {
  let value = data;
  for (const segment of path) {
    if (Array.isArray(value) && typeof segment === 'number') value = value[segment];
    else if (isRow(value)) value = value[String(segment)];
    else return undefined;
  }
  return value;
}

function unwrap(schema: Schema): Schema {
  let current = schema;
  while (current instanceof z.ZodDefault || current instanceof z.ZodOptional) current = current.unwrap() as Schema;
  return current;
}

function variants(union: z.ZodUnion): z.ZodObject[] {
  return (union.options as readonly Schema[]).filter((o): o is z.ZodObject => o instanceof z.ZodObject);
}

/** The kind key of a variant: the first key of its shape (see schema.ts). */
function kindOf(variant: z.ZodObject): string {
  return Object.keys(variant.shape)[0] ?? '';
}

/** The variant whose kind key `value` has, when it has exactly one. */
function pickVariant(union: z.ZodUnion, value: unknown): z.ZodObject | undefined {
  if (!isRow(value)) return undefined;
  const present = variants(union).filter((v) => value[kindOf(v)] !== undefined);
  return present.length === 1 ? present[0] : undefined;
}

interface SchemaPlace {
  readonly schema: Schema | undefined;
  /** The union the last step resolved through, if the place is a step or expectation variant. */
  readonly union?: z.ZodUnion;
}

/**
 * The schema that describes the value at `path`. A union is resolved to the variant whose kind key
 * the data has (and reported in `union`); a union the data does not resolve is returned as is when
 * it is the place itself, and ends the walk otherwise.
 */
function schemaAt(path: IssuePath, data: unknown): SchemaPlace {
  let schema: Schema = ScenarioSchema;
  let value = data;
  for (let i = 0; ; i += 1) {
    schema = unwrap(schema);
    let union: z.ZodUnion | undefined;
    if (schema instanceof z.ZodUnion) {
      const variant = pickVariant(schema, value);
      if (variant === undefined) return { schema: i === path.length ? schema : undefined };
      union = schema;
      schema = variant;
    }
    if (i === path.length) return union === undefined ? { schema } : { schema, union };
    const segment = path[i]!;
    if (schema instanceof z.ZodObject && typeof segment === 'string') {
      const next = (schema.shape as Record<string, Schema | undefined>)[segment];
      if (next === undefined) return { schema: undefined };
      schema = next;
    } else if (schema instanceof z.ZodArray && typeof segment === 'number') {
      schema = schema.element as Schema;
    } else {
      return { schema: undefined };
    }
    value = valueAt(value, [segment]);
  }
}

const MAX_SAFE = Number.MAX_SAFE_INTEGER;

/** The phrase after "expected" for a schema. */
function describeExpected(schema: Schema | undefined): string {
  if (schema instanceof z.ZodString) return 'a string';
  if (schema instanceof z.ZodBoolean) return 'true or false';
  if (schema instanceof z.ZodEnum) return `one of ${listWords(schema.options.map(String))}`;
  if (schema instanceof z.ZodNumber) {
    const kind = schema.isInt ? 'a whole number' : 'a number';
    const min = schema.minValue ?? -MAX_SAFE;
    const max = schema.maxValue ?? MAX_SAFE;
    if (min > -MAX_SAFE && max < MAX_SAFE) return `${kind} from ${min} to ${max}`;
    if (min > -MAX_SAFE) return `${kind} of at least ${min}`;
    return kind;
  }
  if (schema instanceof z.ZodArray) return 'a list';
  if (schema instanceof z.ZodUnion) return `a mapping with one of ${listWords(variants(schema).map((v) => `${kindOf(v)}:`))}`;
  if (schema instanceof z.ZodObject) return schema === ScenarioSchema ? 'a mapping with at least name:' : 'a mapping';
  return 'something else';
}

/** `a step` or `an expectation`, from where a union sits. */
function itemWord(path: IssuePath): string {
  const parent = path[path.length - 2];
  return parent === 'steps' ? 'a step' : parent === 'expect' ? 'an expectation' : 'this entry';
}

export function translateZodIssues(issues: readonly ZodIssue[], data: unknown, positions: PositionIndex): PendingIssue[] {
  const out: PendingIssue[] = [];
  for (const issue of issues) translate(issue, [], data, positions, out);
  return out;
}

function translate(issue: ZodIssue, prefix: IssuePath, data: unknown, positions: PositionIndex, out: PendingIssue[]): void {
  const path: IssuePath = [...prefix, ...issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p))];
  const value = valueAt(data, path);
  const found = describeFound(value, positions.source(path));
  const label = fieldLabel(path);
  const place = schemaAt(path, data);
  switch (issue.code) {
    case 'invalid_type': {
      const expected = describeExpected(place.schema);
      if (path.length === 0) {
        const what = value === null ? 'an empty document' : found;
        out.push({ path, message: `expected a scenario: ${expected}; found ${what}`, expected, found: what });
      } else if (value === undefined) {
        out.push({ path, message: `missing required key "${label}"; expected ${expected}`, expected, found: 'nothing', anchor: 'parent' });
      } else {
        const quote = place.schema instanceof z.ZodString && (typeof value === 'number' || typeof value === 'boolean');
        const hint = quote ? ` (put it in quotes to keep it as text: "${positions.source(path) ?? String(value)}")` : '';
        out.push({ path, message: `${label}: expected ${expected}; found ${found}${hint}`, expected, found });
      }
      return;
    }
    case 'too_small':
    case 'too_big': {
      const expected = rangeExpected(issue, place.schema);
      out.push({ path, message: `${label}: expected ${expected}; found ${found}`, expected, found });
      return;
    }
    case 'invalid_value': {
      const values = issue.values.map(String);
      const expected = `one of ${listWords(values)}`;
      if (value === undefined) {
        out.push({ path, message: `missing required key "${label}"; expected ${expected}`, expected, found: 'nothing', anchor: 'parent' });
        return;
      }
      const guess = typeof value === 'string' ? didYouMean(value, values) : '';
      out.push({ path, message: `${label}: expected ${expected}; found ${found}${guess}`, expected, found });
      return;
    }
    case 'unrecognized_keys':
      for (const key of issue.keys) out.push(unknownKey(path, key, data));
      return;
    case 'invalid_union':
      translateUnion(issue, path, value, data, positions, out);
      return;
    case 'custom': {
      const params = (issue.params ?? {}) as { expected?: string; detail?: string };
      const expected = params.expected ?? issue.message;
      const detail = params.detail === undefined ? '' : ` (${params.detail})`;
      out.push({ path, message: `${label}: expected ${expected}; found ${found}${detail}`, expected, found });
      return;
    }
    case 'invalid_format':
    case 'not_multiple_of':
    case 'invalid_key':
    case 'invalid_element':
      out.push({ path, message: `${label}: ${issue.message}; found ${found}`, found });
      return;
    default: {
      const never: never = issue;
      void never;
    }
  }
}

function rangeExpected(issue: z.core.$ZodIssueTooSmall | z.core.$ZodIssueTooBig, schema: Schema | undefined): string {
  const small = issue.code === 'too_small';
  const bound = Number(small ? issue.minimum : issue.maximum);
  const limit = small ? 'at least' : 'at most';
  if (issue.origin === 'string') return small && bound === 1 ? 'a non-empty string' : `a string of ${limit} ${bound} characters`;
  if (issue.origin === 'array') return `a list with ${limit} ${bound} ${bound === 1 ? 'entry' : 'entries'}`;
  return describeExpected(schema);
}

function unknownKey(path: IssuePath, key: string, data: unknown): PendingIssue {
  const place = schemaAt(path, data);
  const valid = place.schema instanceof z.ZodObject ? Object.keys(place.schema.shape) : [];
  const expected = `one of ${valid.join(', ')}`;
  const owners = place.union === undefined ? [] : variants(place.union).filter((v) => key in v.shape).map(kindOf);
  const guess = didYouMean(key, valid);
  let message: string;
  if (owners.length > 0 && place.schema instanceof z.ZodObject) {
    // `in:` on a docker step: the key is real, only on another kind of item.
    const kind = kindOf(place.schema);
    const others = listWords(owners.map((o) => `${o}:`));
    message = `unknown key "${key}" for ${kind}: (only ${others} ${itemWord(path).replace(/^an? /, '')}s have it); expected ${expected}`;
  } else if (guess !== '') message = `unknown key "${key}"${guess}`;
  else message = `unknown key "${key}"; expected ${expected}`;
  return { path: [...path, key], message, expected, found: `"${key}"`, anchor: 'key' };
}

function translateUnion(
  issue: z.core.$ZodIssueInvalidUnion,
  path: IssuePath,
  value: unknown,
  data: unknown,
  positions: PositionIndex,
  out: PendingIssue[],
): void {
  const place = schemaAt(path, data);
  const union = place.schema instanceof z.ZodUnion ? place.schema : place.union;
  if (union === undefined) {
    out.push({ path, message: `${fieldLabel(path)}: ${issue.message}`, found: describeFound(value) });
    return;
  }
  const options = variants(union);
  const kinds = options.map(kindOf);
  const expected = describeExpected(union);
  if (!isRow(value)) {
    const found = describeFound(value, positions.source(path));
    out.push({ path, message: `${fieldLabel(path)}: expected ${expected}; found ${found}`, expected, found });
    return;
  }
  const present = kinds.filter((k) => value[k] !== undefined);
  if (present.length === 1) {
    const index = options.findIndex((o) => kindOf(o) === present[0]);
    for (const inner of issue.errors[index] ?? []) translate(inner, path, data, positions, out);
    return;
  }
  const known = new Set(options.flatMap((o) => Object.keys(o.shape)));
  const strangers = Object.keys(value).filter((k) => !known.has(k));
  if (present.length === 0) {
    const misspeltKinds = strangers.filter((k) => didYouMean(k, kinds) !== '');
    for (const key of misspeltKinds) {
      const message = `unknown key "${key}"${didYouMean(key, kinds)}`;
      out.push({ path: [...path, key], message, expected: `one of ${kinds.join(', ')}`, found: `"${key}"`, anchor: 'key' });
    }
    if (misspeltKinds.length > 0) return;
    // The keys found are listed in this one message, so they get no "unknown key" issue of their own.
    const keys = Object.keys(value);
    const found = keys.length === 0 ? 'an empty mapping' : `only ${listWords(keys.map((k) => `${k}:`))}`;
    out.push({ path, message: `${itemWord(path)} needs one of ${listWords(kinds.map((k) => `${k}:`))}; found ${found}`, expected, found });
    return;
  } else {
    const second = present[1]!;
    out.push({
      path: [...path, second],
      message: `${itemWord(path)} has exactly one of ${listWords(kinds.map((k) => `${k}:`))}; found both ${present[0]!}: and ${second}:`,
      expected,
      found: listWords(present.map((k) => `${k}:`)),
      anchor: 'key',
    });
  }
  for (const key of strangers) {
    const guess = didYouMean(key, [...known]);
    const expected = `one of ${[...known].join(', ')}`;
    const message = `unknown key "${key}"${guess === '' ? `; expected ${expected}` : guess}`;
    out.push({ path: [...path, key], message, expected, found: `"${key}"`, anchor: 'key' });
  }
}
