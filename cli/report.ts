/** What the CLI tells a person about the files it read, on stderr (stdout stays for results). */
import type { Problem } from '../core/data/dataset';
import type { Io } from './common';

export interface ScanReport {
  ignored: Problem[];
  notes: Problem[];
  backgroundClass?: string;
}

/** The sentence that says which class is background and how to choose another. */
export function backgroundSentence(name: string | undefined): string | undefined {
  if (name === undefined) return undefined;
  return `class "${name}" is the background class: its recordings are cut into 1 s windows and mixed under the other classes' clips (choose another with --background-class NAME, or none)`;
}

export function printScan(io: Io, r: ScanReport): void {
  for (const n of r.notes) io.err(`${n.file}: ${n.reason}`);
  for (const p of r.ignored) io.err(`not used: ${p.file}: ${p.reason}`);
  const bg = backgroundSentence(r.backgroundClass);
  if (bg) io.err(bg);
}
