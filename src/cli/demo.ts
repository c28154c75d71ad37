/**
 * `cnmsim demo`: the flagship walk-through with no arguments.
 *
 * Until the scenario runner lands this shows the foundation at work: a seeded engine run that
 * encodes a VXLAN-encapsulated ping, decodes it back, and prints tcpdump-like summaries.
 * Leaves out: the full Docker walk (added with the scenario runner).
 */
import type { CommandModule } from 'yargs';

export const demoCommand: CommandModule = {
  command: 'demo',
  describe: 'Run the flagship walk-through',
  handler: () => {
    process.stdout.write('cnmsim demo: the foundation is in place; the flagship walk arrives with the scenario runner.\n');
  },
};
