/**
 * The benchmark runner (`npm run bench [-- FILTER...]`).
 *
 * Discovers every `bench/*.bench.ts` module (sorted by file name), calls each exported function
 * whose name starts with `bench` (it returns `Promise<Record<string, number>>` or the record
 * itself), and prints one table row per metric. Adding a benchmark means adding a file; this
 * runner never changes. Optional arguments keep only the modules or functions whose name contains
 * one of them (`npm run bench -- engine`).
 *
 * Leaves out: statistics beyond what each benchmark reports (medians are the benchmark's job) and
 * comparisons against stored baselines.
 */

import { readdirSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

type BenchResult = Record<string, number>;

interface Row {
  readonly bench: string;
  readonly metric: string;
  readonly value: number;
}

function formatValue(value: number): string {
  const fixed = Number.isInteger(value) ? String(value) : value.toFixed(3);
  const [whole = '', frac] = fixed.split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return frac === undefined ? grouped : `${grouped}.${frac}`;
}

function printTable(rows: readonly Row[]): void {
  const header: Row = { bench: 'benchmark', metric: 'metric', value: Number.NaN };
  const widthBench = Math.max(...[header, ...rows].map(row => row.bench.length));
  const widthMetric = Math.max(...[header, ...rows].map(row => row.metric.length));
  const values = rows.map(row => formatValue(row.value));
  const widthValue = Math.max('value'.length, ...values.map(v => v.length));
  const line = (a: string, b: string, c: string): string => `${a.padEnd(widthBench)}  ${b.padEnd(widthMetric)}  ${c.padStart(widthValue)}`;
  console.log(line('benchmark', 'metric', 'value'));
  console.log(line('-'.repeat(widthBench), '-'.repeat(widthMetric), '-'.repeat(widthValue)));
  rows.forEach((row, i) => console.log(line(row.bench, row.metric, values[i]!)));
}

async function main(): Promise<void> {
  const filters = process.argv.slice(2);
  const here = dirname(fileURLToPath(import.meta.url));
  const files = readdirSync(here)
    .filter(name => name.endsWith('.bench.ts'))
    .sort();
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  console.log(`node ${process.version}, ${availableParallelism()} CPUs available (${cpu})\n`);
  const rows: Row[] = [];
  for (const file of files) {
    const module = (await import(pathToFileURL(join(here, file)).href)) as Record<string, unknown>;
    const names = Object.keys(module)
      .filter(name => name.startsWith('bench') && typeof module[name] === 'function')
      .sort();
    for (const name of names) {
      const label = `${file.replace(/\.bench\.ts$/, '')}/${name}`;
      if (filters.length > 0 && !filters.some(f => label.includes(f))) {
        continue;
      }
      process.stderr.write(`running ${label} ...\n`);
      const result = (await (module[name] as () => BenchResult | Promise<BenchResult>)()) ?? {};
      for (const metric of Object.keys(result)) {
        rows.push({ bench: label, metric, value: result[metric]! });
      }
    }
  }
  printTable(rows);
}

await main();
