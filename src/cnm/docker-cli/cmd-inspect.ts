/**
 * `docker inspect` (any object), and the inspect output every `... inspect` command shares.
 *
 * Models: docker/cli 20.10 `cli/command/inspect/inspector.go` (`Inspect`: an indented JSON array
 * of every object found, `[]` when none; or the `-f` template once per object; errors collected
 * and printed after the output, exit 1; a template that does not parse: `Template parsing
 * error: ...`, exit 64; `TemplateInspector`'s raw-JSON execution with `missingkey=error`) and
 * `cli/command/system/inspect.go` (`--type`, trying container, image, network in turn; `Error:
 * No such object: x`).
 * Leaves out: `--size`, volumes, plugins, swarm objects.
 */
import type { Result } from '../errors.js';
import { Cli, type CommandSpec } from './cli.js';
import { goJson, type JsonValue } from './go-json.js';
import { GoTemplate } from './go-template-exec.js';
import type { FlagValues } from './pflag.js';

/** A lookup for one reference: the object, or the error line to print. */
export type InspectGetter = (ref: string) => { ok: true; value: JsonValue } | { ok: false; message: string };

/** `inspect.Inspect(out, refs, format, getter)`. */
export function inspectAll(cli: Cli, refs: readonly string[], format: string, get: InspectGetter): void {
  const errs: string[] = [];
  if (format === '') {
    const found: JsonValue[] = [];
    for (const r of refs) {
      const v = get(r);
      if (v.ok) found.push(v.value);
      else errs.push(v.message);
    }
    cli.out(found.length === 0 ? '[]\n' : `${goJson(found, { indent: '    ' })}\n`);
  } else {
    const tmpl = GoTemplate.parse(format);
    if (!tmpl.ok) return cli.fail(`Template parsing error: ${tmpl.error}`, 64);
    for (const r of refs) {
      const v = get(r);
      if (!v.ok) {
        errs.push(v.message);
        continue;
      }
      const out = tmpl.value.execute(v.value);
      if (out.ok) cli.out(`${out.value}\n`);
      else errs.push(`Template parsing error: ${out.error}`);
    }
  }
  if (errs.length > 0) cli.fail(errs.join('\n'));
  else cli.exit(0);
}

/** A getter from a daemon lookup with the client's 404 wrapping (`Error: No such <object>: x`). */
export function lookupGetter(object: string, lookup: (ref: string) => Result<JsonValue>): InspectGetter {
  return ref => {
    const r = lookup(ref);
    return r.ok ? r : { ok: false, message: Cli.lookupMessage(r.error, object, ref) };
  };
}

function runInspect(cli: Cli, args: string[], f: FlagValues): void {
  const type = f.string('type');
  const kinds: Record<string, (ref: string) => Result<JsonValue>> = {
    container: ref => cli.daemon.containerInspect(ref),
    image: ref => cli.daemon.imageInspect(ref),
    network: ref => cli.daemon.networkInspect(ref),
  };
  if (type !== '' && kinds[type] === undefined) {
    if (['volume', 'node', 'service', 'task', 'plugin', 'secret', 'config'].includes(type)) {
      inspectAll(cli, args, f.string('format'), ref => ({ ok: false, message: `Error: No such ${type}: ${ref}` }));
      return;
    }
    return cli.fail(`"${type}" is not a valid value for --type`);
  }
  const order = type === '' ? ['container', 'image', 'network'] : [type];
  inspectAll(cli, args, f.string('format'), ref => {
    for (const k of order) {
      const r = kinds[k]!(ref);
      if (r.ok) return r;
      if (r.error.kind !== 'notFound') return { ok: false, message: Cli.daemonMessage(r.error) };
    }
    return { ok: false, message: type === '' ? `Error: No such object: ${ref}` : `Error: No such ${type}: ${ref}` };
  });
}

const FORMAT = { name: 'format', short: 'f', kind: 'string' } as const;

export const INSPECT_COMMAND: CommandSpec = {
  name: 'inspect',
  use: 'inspect [OPTIONS] NAME|ID [NAME|ID...]',
  short: 'Return low-level information on Docker objects',
  flags: [FORMAT, { name: 'size', short: 's', kind: 'bool' }, { name: 'type', kind: 'string' }],
  args: { kind: 'min', n: 1 },
  run: runInspect,
};

/** `docker container inspect`. */
export const CONTAINER_INSPECT_COMMAND: CommandSpec = {
  name: 'inspect',
  use: 'inspect [OPTIONS] CONTAINER [CONTAINER...]',
  short: 'Display detailed information on one or more containers',
  flags: [FORMAT, { name: 'size', short: 's', kind: 'bool' }],
  args: { kind: 'min', n: 1 },
  run: (cli, args, f) => inspectAll(cli, args, f.string('format'), lookupGetter('container', ref => cli.daemon.containerInspect(ref))),
};

/** `docker image inspect`. */
export const IMAGE_INSPECT_COMMAND: CommandSpec = {
  name: 'inspect',
  use: 'inspect [OPTIONS] IMAGE [IMAGE...]',
  short: 'Display detailed information on one or more images',
  flags: [FORMAT],
  args: { kind: 'min', n: 1 },
  run: (cli, args, f) => inspectAll(cli, args, f.string('format'), lookupGetter('image', ref => cli.daemon.imageInspect(ref))),
};
