/**
 * The vocabulary of the synthesised keyword-base corpus: which dictionary words may become word
 * classes or be spoken in its phrases, and the evaluation words that never may.
 *
 * The keyword base is judged by fine-tuning on words it never had as classes, so every word an
 * evaluation may use is kept out of the corpus entirely — with its inflections and its common
 * homophones (“write” sounds exactly like “right”, “won” like “one”, “know” like “no”), since a
 * synthesised voice says them the same way.
 */
import type { Rng } from '../../core/util/rng';
import { shuffleInPlace } from '../../core/util/rng';
import { isBackgroundClass } from '../../core/data/files';

/** Each evaluation word with its inflections and homophones, grouped for reading. */
const EVALUATION_GROUPS: readonly (readonly string[])[] = [
  // Smart-home commands the keyword benchmark uses.
  ['light', 'lights', 'lighted', 'lighting', 'lighter', 'lighters', 'lit', 'lite', 'lites'],
  ['lamp', 'lamps'],
  ['music', 'musics', 'musical', 'musicals'],
  ['stop', 'stops', 'stopped', 'stopping', 'stopper', 'stoppers'],
  ['play', 'plays', 'played', 'playing', 'player', 'players'],
  ['pause', 'pauses', 'paused', 'pausing', 'paws', 'pores', 'pours'],
  ['next'],
  ['hello', 'hellos', 'hallo', 'hullo', 'halloo'],
  // Speech-commands words (Warden 2018), the other public keyword benchmark.
  ['yes', 'yeses', 'yeah', 'yep', 'yup'],
  ['no', 'noes', 'nos', 'nope', 'know', 'noh'],
  ['up', 'ups', 'upped', 'upping'],
  ['down', 'downs', 'downed', 'downing'],
  ['left', 'lefts', 'lefty'],
  ['right', 'rights', 'righted', 'righting', 'write', 'writes', 'rite', 'rites', 'wright'],
  ['on', 'ons'],
  ['off', 'offs'],
  ['go', 'goes', 'going', 'gone', 'went'],
  ['zero', 'zeros', 'zeroes'],
  ['one', 'ones', 'won', 'first'],
  ['two', 'twos', 'too', 'to', 'second', 'seconds'],
  ['three', 'threes', 'third', 'thirds'],
  ['four', 'fours', 'for', 'fore', 'fourth', 'fourths'],
  ['five', 'fives', 'fiver', 'fivers', 'fifth', 'fifths'],
  ['six', 'sixes', 'sixth', 'sixths'],
  ['seven', 'sevens', 'seventh', 'sevenths'],
  ['eight', 'eights', 'ate', 'eighth', 'eighths'],
  ['nine', 'nines', 'ninth', 'ninths'],
  ['ten', 'tens', 'tenner', 'tenth', 'tenths'],
  ['bed', 'beds'],
  ['bird', 'birds'],
  ['cat', 'cats'],
  ['dog', 'dogs', 'dogged'],
  ['happy', 'happier', 'happiest'],
  ['house', 'houses', 'housed', 'housing'],
  ['tree', 'trees'],
  ['wow', 'wows', 'wowed'],
  ['marvin', 'sheila'],
  ['backward', 'backwards', 'forward', 'forwards', 'forwarded'],
  ['follow', 'follows', 'followed', 'following', 'follower', 'followers'],
  ['learn', 'learns', 'learned', 'learnt', 'learning', 'learner', 'learners'],
  ['visual', 'visuals']
];

/** Every word kept out of the corpus (as a class and inside phrases), sorted. */
export const EVALUATION_WORDS: readonly string[] = Object.freeze(
  [...new Set(EVALUATION_GROUPS.flat())].sort()
);

const evaluationSet = new Set(EVALUATION_WORDS);

/** Endings that make an inflection or derivation of a word (“yup” → “yups”, “stop” → “stopper”). */
const SUFFIXES = ['s', 'es', 'd', 'ed', 'ing', 'er', 'ers', 'est', 'y', 'ly'];

/**
 * Is `word` an evaluation word, or one of them with an ending from SUFFIXES (with the last letter
 * doubled or a final e dropped, as English spells it)? Errs towards leaving words out: “nod”
 * (“no” + d) is left out too, which costs the corpus nothing.
 */
export function isEvaluationWord(word: string): boolean {
  const w = word.toLowerCase();
  if (evaluationSet.has(w)) return true;
  for (const suffix of SUFFIXES) {
    if (!w.endsWith(suffix) || w.length <= suffix.length + 1) continue;
    const stem = w.slice(0, -suffix.length);
    const undoubled = stem.length > 2 && stem.at(-1) === stem.at(-2) ? stem.slice(0, -1) : stem;
    if (evaluationSet.has(stem) || evaluationSet.has(undoubled) || evaluationSet.has(`${stem}e`)) {
      return true;
    }
  }
  return false;
}

/**
 * Short function words strung between drawn words so phrases get a sentence's rhythm; none is an
 * evaluation word or its homophone (“to”, “for” are, and are left out).
 */
export const FUNCTION_WORDS: readonly string[] = [
  'the',
  'a',
  'of',
  'and',
  'in',
  'with',
  'from',
  'was',
  'is',
  'at',
  'by',
  'as',
  'an',
  'his',
  'her',
  'their',
  'some',
  'this',
  'that',
  'under',
  'after'
];

/** Letters only, lowercase (no proper nouns, no possessives), 3–9 letters long. */
const DICTIONARY_WORD = /^[a-z]{3,9}$/;
/** A vowel letter: words without one are abbreviations (“bldg”, “mgr”), not spoken as words. */
const VOWEL = /[aeiouy]/;

/**
 * The dictionary's usable words in file order: lowercase a–z, 3–9 letters with a vowel, not an
 * evaluation word (isEvaluationWord), and not a name Quench's scanner reads as the background
 * class (“noise”, “background”).
 * `dictionary` is the text of a words file (one word a line, as /usr/share/dict/words).
 */
export function usableWords(dictionary: string): string[] {
  const seen = new Set<string>();
  for (const line of dictionary.split('\n')) {
    const w = line.trim();
    if (!DICTIONARY_WORD.test(w) || !VOWEL.test(w)) continue;
    if (isEvaluationWord(w) || isBackgroundClass(w)) continue;
    seen.add(w);
  }
  return [...seen];
}

/**
 * `count` distinct words drawn from `pool` by `rng` (a seeded shuffle of a copy, so the same seed
 * and pool give the same words). Throws when the pool is smaller than `count`.
 */
export function drawWords(pool: readonly string[], count: number, rng: Rng): string[] {
  if (count > pool.length) {
    throw new Error(`cannot draw ${count} words: the dictionary has only ${pool.length} usable`);
  }
  return (shuffleInPlace([...pool], rng) as string[]).slice(0, count);
}

/** The words of `dictionary` (3–9 letters a–z) that isEvaluationWord leaves out, sorted. */
export function excludedWords(dictionary: string): string[] {
  const out = new Set<string>();
  for (const line of dictionary.split('\n')) {
    const w = line.trim();
    if (DICTIONARY_WORD.test(w) && isEvaluationWord(w)) out.add(w);
  }
  return [...out].sort();
}
