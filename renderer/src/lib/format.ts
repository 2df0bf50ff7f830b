/**
 * Numbers as the page prints them, where `toFixed` alone would say something odd: a value that
 * rounds to zero from below reads "0.0", never "-0.0".
 */

/** `x` with `digits` decimals; a value that rounds to zero is "0.0" whatever its sign. */
export function fixed(x: number, digits: number): string {
  const text = x.toFixed(digits);
  return Number(text) === 0 ? (0).toFixed(digits) : text;
}

/**
 * Seconds between windows as every view says them: up to three decimals, no trailing zeros
 * ("0.26", "0.5", "1").
 */
export function hopText(seconds: number): string {
  return String(Number(seconds.toFixed(3)));
}

/** "1 class", "3 classes", "0 samples": a count with its noun in the right number. */
export function count(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/**
 * A project's line in the list: "images · 1 class · 4 pictures", "demo · sounds · 3 classes · 80
 * samples" (a sound sample is a file: a 1 s clip, or a longer recording of the background).
 */
export function projectMeta(p: {
  demo?: boolean;
  kind: string;
  classes: { samples: number }[];
}): string {
  const samples = p.classes.reduce((a, c) => a + c.samples, 0);
  const sound = p.kind === 'audio';
  return [
    ...(p.demo ? ['demo'] : []),
    sound ? 'sounds' : 'images',
    count(p.classes.length, 'class', 'classes'),
    count(samples, sound ? 'sample' : 'picture')
  ].join(' · ');
}
