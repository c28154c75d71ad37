/**
 * Reads the iptables-save captures of the Docker 20.10 reference (shared/reference/docker-20.10):
 * every `*iptables-save*.txt` file is a list of blocks `$ command`, output, `[exit=N]`.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

export const REFERENCE_ROOT = '/work/shared/reference/docker-20.10';

export interface SaveBlock {
  readonly file: string;
  readonly command: string;
  readonly output: string;
  readonly exit: number;
}

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...walk(p));
    else if (/iptables-save.*\.txt$/.test(name)) out.push(p);
  }
  return out;
}

export function saveBlocks(): SaveBlock[] {
  const blocks: SaveBlock[] = [];
  for (const path of walk(REFERENCE_ROOT)) {
    const lines = readFileSync(path, 'utf8').split('\n');
    let command: string | undefined;
    let body: string[] = [];
    for (const line of lines) {
      if (line.startsWith('$ ')) {
        command = line.slice(2);
        body = [];
        continue;
      }
      const m = /^\[exit=(\d+)\]$/.exec(line);
      if (m !== null && command !== undefined) {
        blocks.push({ file: relative(REFERENCE_ROOT, path), command, output: body.map((l) => `${l}\n`).join(''), exit: Number(m[1]) });
        command = undefined;
        continue;
      }
      if (command !== undefined) body.push(line);
    }
  }
  return blocks;
}

export function withoutComments(text: string): string {
  return text
    .split('\n')
    .filter((l) => !l.startsWith('#'))
    .join('\n');
}
