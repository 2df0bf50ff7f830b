import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';

export function argValue(flag: string): string | undefined {
  const i = process.argv.indexOf(flag);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/** The middle value (the upper one of an even count), as the latency tables report. */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

export function machineLine(): string {
  const cpu = cpus();
  return `machine: ${cpu.length}× ${cpu[0]?.model ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`;
}

/** A markdown table from a header and rows of cells. */
export function table(header: string[], rows: (string | number)[][]): string {
  const line = (cells: (string | number)[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/**
 * Writes `test-artifacts/bench/<name>.json` atomically (temp file, then rename). `markdown` is
 * the section `npm run bench` puts into docs/BENCHMARKS.md.
 */
export function writeResult(name: string, value: object, markdown?: string): string {
  const dir = join('test-artifacts', 'bench');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}.json`);
  const tmp = `${file}.${process.pid}.tmp`;
  // Peak resident memory of this benchmark's process, for the "peak memory" column of the doc.
  const peakRssMB = process.resourceUsage().maxRSS / 1024;
  const md =
    markdown === undefined
      ? undefined
      : `${markdown}\n\nPeak memory of this run: ${peakRssMB.toFixed(0)} MB resident.`;
  writeFileSync(tmp, JSON.stringify({ ...value, peakRssMB, markdown: md }, null, 2) + '\n');
  renameSync(tmp, file);
  return file;
}
