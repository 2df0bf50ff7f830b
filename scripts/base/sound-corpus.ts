/**
 * The synthesised sound corpus Quench's keyword base is trained on: dictionary words spoken by
 * espeak-ng and flite voices under random effects, phrases of other speech, and long background
 * noise recordings, in Quench's dataset-folder layout:
 *
 *   out/words/<word>/<nnn>.wav     one utterance each, 16 kHz mono 16-bit, ≤ 1.0 s (word + ≤ 0.1 s)
 *   out/speech/<nnn>.wav           phrases of other speech, 1–4 s, same voices and effects
 *   out/background/<kind>-<nn>.wav noise recordings (babble, near-silence, hum, fan, white, pink,
 *                                  brown), 10–30 s
 *   out/manifest.json              the recipe and one record per file (SoundCorpusManifest)
 *
 * Every choice is drawn from a generator seeded by (seed, item), so a seed gives the same corpus
 * (the tools are deterministic too: same bytes on a rerun). Files are written to out/.tmp and
 * renamed into place, so a killed run leaves no partial file; the manifest is saved every few
 * seconds, and a rerun with the same seed and sizes keeps every file that has a record and is
 * still a valid WAV, making only the rest.
 */
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeWav, encodeWav } from '../../core/features/wav';
import { resample } from '../../core/features/resample';
import { createRng, type Rng } from '../../core/util/rng';
import {
  drawPhrase,
  drawTake,
  drawTts,
  ESPEAK_VARIANTS,
  ESPEAK_VOICES,
  faster,
  FLITE_VOICES,
  pick,
  RECIPE,
  uniform,
  type BackgroundKind,
  type TakePlan,
  type Tts
} from './corpus-recipe';
import {
  drawWords,
  EVALUATION_WORDS,
  excludedWords,
  FUNCTION_WORDS,
  usableWords
} from './corpus-words';
import {
  addScaled,
  colouredNoise,
  dbToGain,
  drawFan,
  drawHum,
  fanSignal,
  humSignal,
  peak,
  rms,
  scale,
  setRms,
  type Fan,
  type Hum,
  type NoiseColour
} from './noise';
import {
  applySox,
  espeakVariants,
  scratchFiles,
  ShellWorker,
  soxChain,
  speak,
  toolVersions,
  type Scratch
} from './sound-tools';

export const RATE = 16000;
/** Longest word file (s): Quench's 1 s clip. */
export const MAX_WORD_SECONDS = 1.0;
const DICTIONARY = '/usr/share/dict/words';
/**
 * How often the manifest is saved while the corpus is made (ms): a killed run redoes at most this
 * much work. Saving the full corpus's manifest (~5 MB) takes tens of ms.
 */
const CHECKPOINT_MS = 2_000;
/** Samples under this far below the take's peak (dB) are silence around the word. */
const SILENCE_DB = -50;

export interface SoundCorpusOptions {
  /** Folder the corpus is written into (created; an existing corpus of the same recipe resumes). */
  out: string;
  seed: number;
  /** Word classes (default 400). */
  words?: number;
  /** Takes per word (default 40). */
  takesPerWord?: number;
  /** Phrases in speech/ (default 300). */
  phrases?: number;
  /** Recordings in background/ (default 40). */
  backgrounds?: number;
  /** Length range of the background recordings, seconds (default [10, 30]). */
  backgroundSeconds?: [number, number];
  /** Jobs in flight, each running its own espeak-ng/flite and sox processes (default 3). */
  workers?: number;
  /** Milliseconds between the manifest's checkpoints while making (default 2000). */
  checkpointMs?: number;
  /** Words file (default /usr/share/dict/words). */
  dictionary?: string;
  onProgress?: (done: number, total: number, etaSeconds: number) => void;
}

/** One spoken file (a word take or a phrase) as drawn and as made. */
export interface TakeRecord {
  /** Path under `out`, '/'-separated. */
  file: string;
  /** What was spoken. */
  text: string;
  /** Everything drawn for it (the voice as drawn, before any speed-up). */
  plan: TakePlan;
  /** The voice as finally spoken (faster than drawn when the first try was too long). */
  spoken?: Tts;
  /** Tries it took (1 = the voice as drawn). */
  attempts?: number;
  /** Length of the file written, seconds. */
  seconds?: number;
  /** Why no file was written (too long even spoken faster, silent output). */
  dropped?: string;
}

export interface BackgroundRecord {
  file: string;
  kind: BackgroundKind;
  seconds: number;
  /** RMS of the recording, dBFS. */
  rmsDbfs: number;
  colour?: NoiseColour;
  hum?: Hum;
  fan?: Fan;
  /** Babble: each talker's voice, words spoken and gain (dB). */
  talkers?: { tts: Tts; words: number; gainDb: number }[];
}

export interface SoundCorpusManifest {
  version: 1;
  /** False while the corpus is being made (a checkpoint). */
  complete: boolean;
  seed: number;
  /** The sizes the corpus was made with (a rerun must pass the same). */
  options: Required<
    Pick<SoundCorpusOptions, 'words' | 'takesPerWord' | 'phrases' | 'backgrounds'>
  > & {
    backgroundSeconds: [number, number];
  };
  dictionary: string;
  /** The word classes, in drawing order. */
  words: string[];
  /** Words all of whose takes were dropped (their folders removed): not classes. */
  wordsWithoutTakes: string[];
  /** Evaluation words, with their inflections and homophones: never a class, never in a phrase. */
  evaluationWords: readonly string[];
  /** The dictionary's words left out as evaluation words or their inflections. */
  excludedWords: string[];
  functionWords: readonly string[];
  voices: {
    espeak: { voices: readonly string[]; variants: readonly string[] };
    flite: Record<string, [number, number] | null>;
  };
  recipe: typeof RECIPE;
  tools: Record<string, string>;
  counts: {
    takes: number;
    takesDropped: number;
    phrases: number;
    phrasesDropped: number;
    background: number;
    /** Bytes of all WAV files (complete corpus only). */
    bytes?: number;
  };
  /** Wall-clock seconds of all runs that made this corpus. */
  seconds: number;
  runs: { started: string; seconds: number; made: number; kept: number; workers: number }[];
  takes: (TakeRecord | null)[];
  phrases: (TakeRecord | null)[];
  background: (BackgroundRecord | null)[];
}

/** A 32-bit seed for item `index` of stream `stream` (murmur3's finaliser over the three). */
function itemSeed(seed: number, stream: number, index: number): number {
  let h = (seed ^ 0x9e3779b9) >>> 0;
  for (const part of [stream, index]) {
    h = Math.imul(h ^ part, 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
  }
  return h >>> 0;
}
const STREAM = { words: 1, takes: 2, phrases: 3, background: 4 } as const;

function checkCount(name: string, v: number, lo: number, hi: number): number {
  if (!Number.isInteger(v) || v < lo || v > hi) {
    throw new Error(`${name} must be a whole number from ${lo} to ${hi}, got ${v}`);
  }
  return v;
}

async function writeAtomic(path: string, bytes: Uint8Array | string, tmp: string): Promise<void> {
  await writeFile(tmp, bytes);
  await rename(tmp, path);
}

/** Is `path` a complete 16 kHz mono 16-bit PCM WAV as this module writes, within `maxSeconds`? */
export async function isValidWav(path: string, maxSeconds = Infinity): Promise<boolean> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch {
    return false;
  }
  if (bytes.length < 46) return false;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint16(20, true) !== 1 || view.getUint16(34, true) !== 16) return false;
  try {
    const audio = decodeWav(bytes);
    return (
      !audio.warnings?.length &&
      audio.sampleRate === RATE &&
      audio.channels.length === 1 &&
      view.getUint32(40, true) === bytes.length - 44 &&
      audio.channels[0].length <= maxSeconds * RATE
    );
  } catch {
    return false;
  }
}

/** Where the voice is audible in `x`: first and last sample within SILENCE_DB of the peak. */
function voicedExtent(x: Float32Array): [number, number] | null {
  const threshold = peak(x) * dbToGain(SILENCE_DB);
  if (threshold === 0) return null;
  let a = 0;
  while (Math.abs(x[a]) < threshold) a++;
  let b = x.length - 1;
  while (Math.abs(x[b]) < threshold) b--;
  return [a, b + 1];
}

interface Rendered {
  samples: Float32Array;
  spoken: Tts;
  text: string;
  attempts: number;
}

/**
 * Speaks a take and applies its effects. The voice's output is cut to the spoken part plus the
 * drawn margins (never into the voice: see voicedExtent), resampled to 16 kHz, run through the sox
 * chain, mixed with hum and noise at their SNR relative to the speech's RMS, and scaled to the
 * drawn peak. `words` are spoken `count` at a time; a take longer than `maxSeconds` is spoken
 * again faster (RECIPE.speedUp, RECIPE.retries times), and for phrases first with fewer words;
 * a phrase under `minSeconds` gets more words. Returns the reason as a string when no file results.
 */
async function render(
  plan: TakePlan,
  words: string[],
  firstCount: number,
  [minSeconds, maxSeconds]: [number, number],
  shell: ShellWorker,
  scratch: Scratch
): Promise<Rendered | string> {
  const tempo = plan.effects?.tempo ?? 1;
  let tts = plan.tts;
  let count = firstCount;
  let attempts = 1;
  for (let step = 0; step < 16; step++) {
    const text = words.slice(0, count).join(' ') + (words.length > 1 ? '.' : '');
    const speech = await speak(shell, tts, text, scratch);
    const extent = voicedExtent(speech.samples);
    if (!extent) return `${tts.engine} ${tts.voice} produced no sound for "${text}"`;
    const from = Math.max(0, extent[0] - Math.round(plan.leadSeconds * speech.rate));
    const to = Math.min(
      speech.samples.length,
      extent[1] + Math.round(plan.tailSeconds * speech.rate)
    );
    const seconds = (to - from) / speech.rate / tempo;
    if (seconds > maxSeconds - 0.005) {
      if (count > 3 && words.length > 1) count--;
      else if (attempts <= RECIPE.retries) {
        tts = faster(tts, RECIPE.speedUp);
        attempts++;
      } else return `${seconds.toFixed(2)} s even spoken ${attempts - 1} times faster`;
      continue;
    }
    if (seconds < minSeconds) {
      if (count < words.length) count++;
      else return `only ${seconds.toFixed(2)} s with all ${words.length} words`;
      continue;
    }
    const cut = speech.samples.subarray(from, to);
    const chain = soxChain(plan.effects);
    let x = chain.length
      ? await applySox(shell, cut, speech.rate, chain, scratch)
      : speech.rate === RATE
        ? Float32Array.from(cut)
        : resample(cut, speech.rate, RATE);
    const max = Math.floor(maxSeconds * RATE);
    const tail = Math.round((plan.tailSeconds * RATE) / tempo);
    if (x.length > max) {
      // Only ever cuts into the tail margin (the estimate above allows 5 ms of overshoot).
      if (x.length - max > tail) return `${(x.length / RATE).toFixed(3)} s after effects`;
      x = x.slice(0, max);
    }
    mixNoise(x, plan, Math.round((plan.leadSeconds * RATE) / tempo), tail);
    const p = peak(x);
    if (p === 0) return `silent after effects`;
    scale(x, dbToGain(plan.peakDbfs) / p);
    return { samples: x, spoken: tts, text, attempts };
  }
  return 'no length within range was reached';
}

/** Adds the take's hum and noise at their SNR re the RMS of the speech between the margins. */
function mixNoise(x: Float32Array, plan: TakePlan, lead: number, tail: number): void {
  const e = plan.effects;
  if (!e?.hum && !e?.noise) return;
  const rng = createRng(plan.noiseSeed);
  const speech = rms(x, Math.min(lead, x.length - 1), Math.max(lead + 1, x.length - tail));
  if (e.hum) addScaled(x, humSignal(e.hum, x.length, RATE, rng), speech / dbToGain(e.hum.snrDb));
  if (e.noise) {
    addScaled(x, colouredNoise(e.noise.colour, x.length, rng), speech / dbToGain(e.noise.snrDb));
  }
}

/** Makes one background recording of `kind`, `seconds` long, from `rng`. */
async function makeBackground(
  kind: BackgroundKind,
  seconds: number,
  rng: Rng,
  pool: string[],
  shell: ShellWorker,
  scratch: Scratch
): Promise<{ samples: Float32Array; record: Omit<BackgroundRecord, 'file'> }> {
  const n = Math.round(seconds * RATE);
  const b = RECIPE.background;
  const level = uniform(rng, b.rmsDbfs, 1);
  if (kind === 'white' || kind === 'pink' || kind === 'brown') {
    const x = setRms(colouredNoise(kind, n, rng), level);
    return { samples: x, record: { kind, seconds, rmsDbfs: level, colour: kind } };
  }
  if (kind === 'silence') {
    const quiet = uniform(rng, b.silenceRmsDbfs, 1);
    const colour = pick(rng, ['white', 'pink'] as const);
    const x = setRms(colouredNoise(colour, n, rng), quiet);
    return { samples: x, record: { kind, seconds, rmsDbfs: quiet, colour } };
  }
  if (kind === 'hum') {
    const hum = drawHum(rng);
    // A hum recorded through a microphone: the hum plus a hiss 30 dB under it.
    const x = addScaled(humSignal(hum, n, RATE, rng), colouredNoise('white', n, rng), 0.03);
    return { samples: setRms(x, level), record: { kind, seconds, rmsDbfs: level, hum } };
  }
  if (kind === 'fan') {
    const fan = drawFan(rng);
    return {
      samples: setRms(fanSignal(fan, n, RATE, rng), level),
      record: { kind, seconds, rmsDbfs: level, fan }
    };
  }
  // Babble: 6–10 talkers, each speaking a stream of random words for the whole recording (looped
  // when short), starting at a random point, mixed at random gains and scaled low.
  const [lo, hi] = b.babbleTalkers;
  const talkers: NonNullable<BackgroundRecord['talkers']> = [];
  const x = new Float32Array(n);
  const count = lo + rng.int(hi - lo + 1);
  for (let t = 0; t < count; t++) {
    const tts = drawTts(rng);
    const words = Array.from({ length: Math.ceil(seconds * 3) }, () => pick(rng, pool));
    const text = words.map((w, i) => (i % 7 === 6 ? `${w}.` : w)).join(' ');
    const speech = await speak(shell, tts, text, scratch);
    const voice =
      speech.rate === RATE ? speech.samples : resample(speech.samples, speech.rate, RATE);
    const gainDb = uniform(rng, [-6, 0], 1);
    const offset = rng.int(voice.length);
    if (rms(voice) > 0) {
      const g = dbToGain(gainDb) / rms(voice);
      for (let i = 0; i < n; i++) x[i] += g * voice[(offset + i) % voice.length];
    }
    talkers.push({ tts, words: words.length, gainDb });
  }
  const babble = uniform(rng, b.babbleRmsDbfs, 1);
  return { samples: setRms(x, babble), record: { kind, seconds, rmsDbfs: babble, talkers } };
}

const pad = (i: number, total: number): string =>
  String(i).padStart(Math.max(3, String(total - 1).length), '0');

/**
 * Makes (or completes) the corpus under `opts.out`; resolves with its manifest, also written to
 * out/manifest.json. Throws when a tool is missing, the dictionary can't be read, a size is out of
 * range, or `out` holds a corpus of another seed or other sizes.
 */
export async function makeSoundCorpus(opts: SoundCorpusOptions): Promise<SoundCorpusManifest> {
  const started = Date.now();
  const options = {
    words: checkCount('words', opts.words ?? 400, 1, 100_000),
    takesPerWord: checkCount('takesPerWord', opts.takesPerWord ?? 40, 1, 9999),
    phrases: checkCount('phrases', opts.phrases ?? 300, 0, 9999),
    backgrounds: checkCount('backgrounds', opts.backgrounds ?? 40, 0, 999),
    backgroundSeconds: opts.backgroundSeconds ?? ([10, 30] as [number, number])
  };
  const [bgLo, bgHi] = options.backgroundSeconds;
  if (!(bgLo >= 1 && bgHi >= bgLo && bgHi <= 600)) {
    throw new Error(
      `backgroundSeconds must be [lo, hi] with 1 ≤ lo ≤ hi ≤ 600, got [${bgLo}, ${bgHi}]`
    );
  }
  const workers = checkCount('workers', opts.workers ?? 3, 1, 64);
  const seed = checkCount('seed', opts.seed, 0, 2 ** 32 - 1);
  const dictionary = opts.dictionary ?? DICTIONARY;
  let dictText: string;
  try {
    dictText = await readFile(dictionary, 'utf8');
  } catch (e) {
    throw new Error(
      `${dictionary}: cannot be read (${(e as Error).message}); apt-get install wamerican`
    );
  }
  const tools = await toolVersions();
  const variants = await espeakVariants();
  const missing = ESPEAK_VARIANTS.filter((v) => !variants.has(v));
  if (missing.length) throw new Error(`espeak-ng lacks the voice variants ${missing.join(', ')}`);

  // The words and every take's choices, drawn before anything is made.
  const pool = usableWords(dictText);
  const words = drawWords(pool, options.words, createRng(itemSeed(seed, STREAM.words, 0)));
  const classWords = new Set(words);
  const speechPool = pool.filter((w) => !classWords.has(w));
  const takePlans = words.flatMap((word, w) =>
    Array.from({ length: options.takesPerWord }, (_, t) => ({
      file: `words/${word}/${pad(t, options.takesPerWord)}.wav`,
      word,
      plan: drawTake(createRng(itemSeed(seed, STREAM.takes, w * 100_000 + t)))
    }))
  );
  const phrasePlans = Array.from({ length: options.phrases }, (_, i) => ({
    file: `speech/${pad(i, options.phrases)}.wav`,
    plan: drawPhrase(createRng(itemSeed(seed, STREAM.phrases, i)), speechPool, FUNCTION_WORDS)
  }));
  const kinds = RECIPE.background.kinds;
  const backgroundPlans = Array.from({ length: options.backgrounds }, (_, i) => {
    const kind = kinds[i % kinds.length];
    return { file: `background/${kind}-${String(i).padStart(2, '0')}.wav`, kind };
  });

  const out = opts.out;
  const tmp = join(out, '.tmp');
  const manifestPath = join(out, 'manifest.json');

  const manifest: SoundCorpusManifest = {
    version: 1,
    complete: false,
    seed,
    options,
    dictionary,
    words,
    wordsWithoutTakes: [],
    evaluationWords: EVALUATION_WORDS,
    excludedWords: excludedWords(dictText),
    functionWords: FUNCTION_WORDS,
    voices: {
      espeak: { voices: ESPEAK_VOICES, variants: ESPEAK_VARIANTS },
      flite: FLITE_VOICES
    },
    recipe: RECIPE,
    tools,
    counts: { takes: 0, takesDropped: 0, phrases: 0, phrasesDropped: 0, background: 0 },
    seconds: 0,
    runs: [],
    takes: takePlans.map(() => null),
    phrases: phrasePlans.map(() => null),
    background: backgroundPlans.map(() => null)
  };
  const previous = await readPrevious(manifestPath, manifest);
  if (previous) {
    manifest.runs = previous.runs;
    manifest.seconds = previous.seconds;
  }
  // Only now that `out` is known to hold this corpus (or none) is anything written there.
  await rm(tmp, { recursive: true, force: true });
  await mkdir(tmp, { recursive: true });
  for (const dir of ['speech', 'background', ...words.map((w) => `words/${w}`)]) {
    await mkdir(join(out, dir), { recursive: true });
  }

  // What is already made (has a record and a valid file, or was dropped) is kept.
  type Job = { kind: 'take' | 'phrase' | 'background'; index: number };
  const jobs: Job[] = [];
  let kept = 0;
  const keep = async <T extends { file: string; dropped?: string }>(
    record: T | null | undefined,
    file: string,
    maxSeconds: number
  ): Promise<T | null> => {
    if (!record || record.file !== file) return null;
    if (record.dropped || (await isValidWav(join(out, file), maxSeconds))) return record;
    return null;
  };
  for (const [i, p] of takePlans.entries()) {
    manifest.takes[i] = await keep(previous?.takes[i], p.file, MAX_WORD_SECONDS);
    if (manifest.takes[i]) kept++;
    else jobs.push({ kind: 'take', index: i });
  }
  for (const [i, p] of phrasePlans.entries()) {
    manifest.phrases[i] = await keep(previous?.phrases[i], p.file, RECIPE.phrase.seconds[1]);
    if (manifest.phrases[i]) kept++;
    else jobs.push({ kind: 'phrase', index: i });
  }
  for (const [i, p] of backgroundPlans.entries()) {
    manifest.background[i] = await keep(previous?.background[i], p.file, bgHi);
    if (manifest.background[i]) kept++;
    else jobs.push({ kind: 'background', index: i });
  }

  const run = { started: new Date(started).toISOString(), seconds: 0, made: 0, kept, workers };
  manifest.runs.push(run);
  const secondsBefore = manifest.seconds;
  let saving: Promise<void> = Promise.resolve();
  let lastSave = 0;
  const save = (): Promise<void> => {
    lastSave = Date.now();
    run.seconds = Math.round((Date.now() - started) / 100) / 10;
    manifest.seconds = Math.round((secondsBefore + run.seconds) * 10) / 10;
    updateCounts(manifest);
    const text = JSON.stringify(manifest, null, 1);
    saving = saving.then(() => writeAtomic(manifestPath, text, join(tmp, 'manifest.json')));
    return saving;
  };
  await save();

  const total = kept + jobs.length;
  let done = kept;
  let made = 0;
  const workStart = Date.now();
  opts.onProgress?.(done, total, NaN);

  const shells = Array.from(
    { length: Math.min(workers, jobs.length) },
    (_, slot) => new ShellWorker(join(tmp, `stderr-${slot}.txt`))
  );
  const doJob = async (job: Job, slot: number): Promise<void> => {
    const shell = shells[slot];
    const scratch = scratchFiles(tmp, slot);
    let bytes: Uint8Array | undefined;
    let file: string;
    if (job.kind === 'background') {
      const p = backgroundPlans[job.index];
      file = p.file;
      const rng = createRng(itemSeed(seed, STREAM.background, job.index));
      const seconds = Math.round(uniform(rng, [bgLo, bgHi], 1) * RATE) / RATE;
      const bg = await makeBackground(p.kind, seconds, rng, speechPool, shell, scratch);
      bytes = encodeWav([bg.samples], RATE);
      manifest.background[job.index] = { file, ...bg.record };
    } else {
      const take = job.kind === 'take';
      const p = take ? takePlans[job.index] : phrasePlans[job.index];
      file = p.file;
      const r = take
        ? await render(
            p.plan,
            [takePlans[job.index].word],
            1,
            [0, MAX_WORD_SECONDS],
            shell,
            scratch
          )
        : await render(
            p.plan,
            phrasePlans[job.index].plan.words,
            phrasePlans[job.index].plan.count,
            [RECIPE.phrase.seconds[0], RECIPE.phrase.seconds[1]],
            shell,
            scratch
          );
      const text = take
        ? takePlans[job.index].word
        : phrasePlans[job.index].plan.words.slice(0, phrasePlans[job.index].plan.count).join(' ');
      const record: TakeRecord =
        typeof r === 'string'
          ? { file, text, plan: p.plan, dropped: r }
          : {
              file,
              text: r.text,
              plan: p.plan,
              spoken: r.spoken,
              attempts: r.attempts,
              seconds: r.samples.length / RATE
            };
      if (typeof r !== 'string') bytes = encodeWav([r.samples], RATE);
      else await rm(join(out, file), { force: true });
      if (take) manifest.takes[job.index] = record;
      else manifest.phrases[job.index] = record;
    }
    if (bytes) await writeAtomic(join(out, file), bytes, join(tmp, `job-${slot}.wav`));
    done++;
    made++;
    const perJob = (Date.now() - workStart) / 1000 / made;
    opts.onProgress?.(done, total, perJob * (total - done));
    if (Date.now() - lastSave > (opts.checkpointMs ?? CHECKPOINT_MS)) await save();
  };

  let next = 0;
  try {
    await Promise.all(
      shells.map(async (_, slot) => {
        while (next < jobs.length) await doJob(jobs[next++], slot);
      })
    );
  } finally {
    for (const shell of shells) shell.close();
  }
  run.made = made;
  // A word whose every take was dropped would be an empty class folder, which the scanner refuses.
  manifest.wordsWithoutTakes = words.filter((_, w) =>
    manifest.takes
      .slice(w * options.takesPerWord, (w + 1) * options.takesPerWord)
      .every((r) => !r || r.dropped)
  );
  for (const word of manifest.wordsWithoutTakes) {
    await rm(join(out, 'words', word), { recursive: true, force: true });
  }
  manifest.complete = true;
  await save();
  manifest.counts.bytes = await corpusBytes(out, manifest);
  await save();
  await rm(tmp, { recursive: true, force: true });
  return manifest;
}

function updateCounts(m: SoundCorpusManifest): void {
  const made = (rs: (TakeRecord | null)[]) => rs.filter((r) => r && !r.dropped).length;
  const dropped = (rs: (TakeRecord | null)[]) => rs.filter((r) => r?.dropped).length;
  m.counts.takes = made(m.takes);
  m.counts.takesDropped = dropped(m.takes);
  m.counts.phrases = made(m.phrases);
  m.counts.phrasesDropped = dropped(m.phrases);
  m.counts.background = m.background.filter(Boolean).length;
}

async function corpusBytes(out: string, m: SoundCorpusManifest): Promise<number> {
  let bytes = 0;
  for (const r of [...m.takes, ...m.phrases, ...m.background]) {
    if (r && !('dropped' in r && r.dropped)) bytes += (await stat(join(out, r.file))).size;
  }
  return bytes;
}

/**
 * The manifest already in `out`, when it is of the same corpus (seed, sizes, words); null when
 * there is none. Throws, naming the file, when it can't be parsed or is of another corpus.
 */
async function readPrevious(
  path: string,
  current: SoundCorpusManifest
): Promise<SoundCorpusManifest | null> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return null;
  }
  let previous: SoundCorpusManifest;
  try {
    previous = JSON.parse(text) as SoundCorpusManifest;
  } catch (e) {
    throw new Error(`${path}: not valid JSON (${(e as Error).message}); delete it to start over`);
  }
  const same =
    previous.version === current.version &&
    previous.seed === current.seed &&
    JSON.stringify(previous.options) === JSON.stringify(current.options) &&
    JSON.stringify(previous.words) === JSON.stringify(current.words) &&
    JSON.stringify(previous.recipe) === JSON.stringify(current.recipe) &&
    Array.isArray(previous.takes) &&
    Array.isArray(previous.phrases) &&
    Array.isArray(previous.background) &&
    Array.isArray(previous.runs);
  if (!same) {
    throw new Error(
      `${path}: this folder holds a corpus of seed ${previous.seed} with other sizes, words or recipe; ` +
        'choose another folder, pass the same seed and sizes, or delete it'
    );
  }
  return previous;
}
