/**
 * Lists of files in messages: a person reads a few names, not a page of absolute paths. Pure
 * text helpers shared by the services, the CLI-facing errors and the UI.
 */

/** "day 1/a.wav" from "/home/x/.quench/projects/ab12/data/yes/day 1/a.wav" given the root. */
export function shortPath(file: string, root?: string): string {
  const norm = file.replace(/\\/g, '/');
  const base = root?.replace(/\\/g, '/').replace(/\/+$/, '');
  if (base && norm.startsWith(`${base}/`)) return norm.slice(base.length + 1);
  // Not under the root: its last two parts (class folder and file) are what a person recognises.
  return norm.split('/').slice(-2).join('/');
}

/**
 * The first `max` items joined by "; " and "and N more" for the rest:
 * `fewOf(['a', 'b', 'c', 'd', 'e'], 3)` → "a; b; c and 2 more".
 */
export function fewOf(items: string[], max = 3): string {
  if (items.length <= max) return items.join('; ');
  return `${items.slice(0, max).join('; ')} and ${items.length - max} more`;
}

/** Problems as "file: reason" for a few files, paths shortened against `root`. */
export function fewProblems(problems: { file: string; reason: string }[], root?: string, max = 3) {
  return fewOf(
    problems.map((p) => `${shortPath(p.file, root)}: ${p.reason}`),
    max
  );
}
