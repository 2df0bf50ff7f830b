/**
 * Makes the synthesised sound corpus of Quench's keyword base (see sound-corpus.ts for the layout
 * and the recipe). Progress with the time left goes to stderr; a rerun with the same seed and
 * sizes resumes.
 *
 * Usage: tsx scripts/base/make-sound-corpus.ts --out DIR [--seed 1] [--words 400] [--takes 40]
 *        [--phrases 300] [--backgrounds 40] [--workers 3] [--checkpoint-ms 2000]
 */
import { parseArgs } from 'node:util';
import { makeSoundCorpus } from './sound-corpus';

const USAGE =
  'usage: tsx scripts/base/make-sound-corpus.ts --out DIR [--seed 1] [--words 400] [--takes 40] ' +
  '[--phrases 300] [--backgrounds 40] [--workers 3] [--checkpoint-ms 2000]';

function count(name: string, text: string): number {
  if (!/^\d+$/.test(text)) {
    console.error(`--${name} must be a whole number, got ${JSON.stringify(text)}\n${USAGE}`);
    process.exit(2);
  }
  return Number(text);
}

let values;
try {
  values = parseArgs({
    options: {
      out: { type: 'string' },
      seed: { type: 'string', default: '1' },
      words: { type: 'string', default: '400' },
      takes: { type: 'string', default: '40' },
      phrases: { type: 'string', default: '300' },
      backgrounds: { type: 'string', default: '40' },
      workers: { type: 'string', default: '3' },
      'checkpoint-ms': { type: 'string', default: '2000' }
    }
  }).values;
} catch (e) {
  console.error(`${(e as Error).message}\n${USAGE}`);
  process.exit(2);
}
if (!values.out) {
  console.error(USAGE);
  process.exit(2);
}

const clock = (s: number): string =>
  !Number.isFinite(s)
    ? '…'
    : s >= 60
      ? `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`
      : `${Math.round(s)} s`;
let shown = 0;
try {
  const m = await makeSoundCorpus({
    out: values.out,
    seed: count('seed', values.seed!),
    words: count('words', values.words!),
    takesPerWord: count('takes', values.takes!),
    phrases: count('phrases', values.phrases!),
    backgrounds: count('backgrounds', values.backgrounds!),
    workers: count('workers', values.workers!),
    checkpointMs: count('checkpoint-ms', values['checkpoint-ms']!),
    onProgress: (done, total, eta) => {
      if (Date.now() - shown < 1000 && done < total) return;
      shown = Date.now();
      const pct = ((100 * done) / total).toFixed(1);
      process.stderr.write(`\r${done}/${total} files (${pct} %), ${clock(eta)} left   `);
    }
  });
  const c = m.counts;
  const run = m.runs[m.runs.length - 1];
  process.stderr.write('\n');
  console.log(
    `${values.out}: ${m.words.length - m.wordsWithoutTakes.length} words, ${c.takes} takes ` +
      `(${c.takesDropped} dropped), ${c.phrases} phrases (${c.phrasesDropped} dropped), ` +
      `${c.background} background recordings, ${((c.bytes ?? 0) / 1e6).toFixed(1)} MB; ` +
      `this run made ${run.made} files and kept ${run.kept} in ${clock(run.seconds)}`
  );
} catch (e) {
  process.stderr.write('\n');
  console.error(`make-sound-corpus: ${(e as Error).message}`);
  process.exit(1);
}
