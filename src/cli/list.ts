/**
 * `cnmsim list`: the scenarios bundled with cnmsim (`scenarios/*.yaml`), each with its name and
 * description, so a newcomer can pick one to `run`, `trace` or `pcap`.
 *
 * Models: `docker image ls`-style discovery: file name first, then what it is.
 * Leaves out: scenarios elsewhere (`run` takes any path).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { loadScenario } from '../scenario/index.js';
import { colours, EXIT, systemMessage, type CliIo } from './io.js';

export interface BundledScenario {
  readonly file: string;
  readonly name: string | undefined;
  readonly description: string | undefined;
  readonly issues: number;
}

/** The bundled scenarios, sorted by file name. */
export function bundled(dir: string): BundledScenario[] {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.yaml') || f.endsWith('.yml'))
    .sort();
  return files.map((f) => {
    const loaded = loadScenario(readFileSync(join(dir, f), 'utf8'), f);
    if (!loaded.ok) return { file: f, name: undefined, description: undefined, issues: loaded.issues.length };
    return { file: f, name: loaded.scenario.name, description: loaded.scenario.description, issues: 0 };
  });
}

const WIDTH = 92;

/** Words of `text` (its own line breaks kept) in lines of at most `width` columns. */
export function wrap(text: string, width: number): string[] {
  const out: string[] = [];
  for (const paragraph of text.split('\n')) {
    let current = '';
    for (const word of paragraph.trim().split(/\s+/).filter((w) => w !== '')) {
      if (current !== '' && current.length + 1 + word.length > width) {
        out.push(current);
        current = word;
      } else current = current === '' ? word : `${current} ${word}`;
    }
    if (current !== '') out.push(current);
  }
  return out;
}

export function listCommand(io: CliIo): CommandModule<object, object> {
  return {
    command: 'list',
    describe: 'List the bundled scenarios with their descriptions',
    builder: (y: Argv) => y,
    handler: () => {
      let items: BundledScenario[];
      try {
        items = bundled(io.scenariosDir);
      } catch (e) {
        io.invalid(`cannot read the bundled scenarios in ${io.scenariosDir}: ${systemMessage(e)}`);
        return;
      }
      const c = colours(io);
      const where = relative(io.cwd, io.scenariosDir) || '.';
      io.out(`Bundled scenarios (${where}):\n\n`);
      for (const s of items) {
        io.out(`${c.bold(s.file)}  ${s.name ?? c.red(`(invalid: ${s.issues} issue${s.issues === 1 ? '' : 's'})`)}\n`);
        for (const l of wrap((s.description ?? '').trim(), WIDTH)) io.out(`    ${l}\n`);
      }
      if (items.length === 0) io.out('(none)\n');
      io.out(`\nRun one: cnmsim run ${join(where, items[0]?.file ?? 'FILE.yaml')}\n`);
      io.exit(EXIT.ok);
    },
  };
}
