/** What the Projects view says after a .quench file was imported. */
import type { ProjectInfo } from '../../../electron/shared/api';

/**
 * "Imported “Trip (2)” from trip.quench: 2 classes, 4 samples, 1 run. A project called “Trip”
 * was here already, so the copy is “Trip (2)”." — `before`: the names of the projects there were
 * before the import (a copy of an existing name is numbered by the service).
 */
export function importedText(p: ProjectInfo, file: string, runs: number, before: string[]): string {
  const samples = p.classes.reduce((a, c) => a + c.samples, 0);
  const count = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
  const what = `${count(p.classes.length, 'class', 'classes')}, ${count(samples, 'sample')}, ${count(runs, 'run')}`;
  const m = /^(.*) \((\d+)\)$/.exec(p.name);
  const known = new Set(before.map((n) => n.toLowerCase()));
  const renamed =
    m && known.has(m[1].toLowerCase()) && !known.has(p.name.toLowerCase())
      ? ` A project called “${m[1]}” was here already, so the copy is “${p.name}”.`
      : '';
  return `Imported “${p.name}” from ${file}: ${what}.${renamed}`;
}
