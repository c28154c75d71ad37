/**
 * Reads the reference captures of a real Docker 20.10 host (shared/reference/docker-20.10):
 * every captured file is a list of blocks `$ <command>`, its stdout+stderr, `[exit=<code>]`,
 * and a blank line (lib/capture.sh `cap`/`capsh`). Matrices and summaries are plain text.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Where the captures live; the shared reference folder, or the copy beside the repository. */
export const CAPTURE_ROOT = ['/work/shared/reference/docker-20.10', join(import.meta.dirname, '../../../shared/reference/docker-20.10')].find((p) =>
  existsSync(p),
);

export interface CaptureBlock {
  /** The command line after `$ `. */
  readonly command: string;
  /** stdout+stderr, each line ending in `\n`. */
  readonly output: string;
  readonly exit: number;
}

export function captureText(folder: string, file: string): string {
  if (CAPTURE_ROOT === undefined) throw new Error('the reference captures are not available');
  return readFileSync(join(CAPTURE_ROOT, folder, file), 'utf8');
}

/** The blocks of a `cap`-style capture file. */
export function parseBlocks(text: string): CaptureBlock[] {
  const blocks: CaptureBlock[] = [];
  let command: string | undefined;
  let lines: string[] = [];
  for (const line of text.split('\n')) {
    if (command === undefined) {
      if (line.startsWith('$ ')) {
        command = line.slice(2);
        lines = [];
      }
      continue;
    }
    // `[exit=N]` ends the block; it shares the last line when the output had no final newline
    // (a `capsh` string ending in `tr '\n' ' '`).
    const exit = /^(.*)\[exit=(\d+)\]$/u.exec(line);
    if (exit !== null) {
      const output = lines.map((l) => `${l}\n`).join('') + exit[1]!;
      blocks.push({ command, output, exit: Number(exit[2]) });
      command = undefined;
      continue;
    }
    lines.push(line);
  }
  return blocks;
}

export function captureBlocks(folder: string, file: string): CaptureBlock[] {
  return parseBlocks(captureText(folder, file));
}

/** The one block of a file holding a single captured command. */
export function captureBlock(folder: string, file: string, index = 0): CaptureBlock {
  const block = captureBlocks(folder, file)[index];
  if (block === undefined) throw new Error(`${folder}/${file} has no block ${index}`);
  return block;
}
