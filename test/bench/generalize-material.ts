/**
 * Material for the `generalize` benchmark: spoken keywords that no part of any model was trained
 * on. Every voice comes from festival (`text2wave`), shaped by sox; espeak-ng and flite are never
 * called, because those two synthesisers train the keyword base.
 *
 * - `project/`: the newcomer's own takes ("the user": festival's kal diphone and slt HTS voices
 *   with small pitch and tempo changes, a light living-room reverb, the room's noise), one folder
 *   per word, plus `project/background/room.wav` with that room's noise alone — the dataset-folder
 *   layout `quench train --data` reads.
 * - `heldout/<word>/*.wav`: takes in unseen voices, all derived from festival's ked diphone voice
 *   (Debian's festvox-kdlpc16k) by sox pitch, tempo and EQ, in varied rooms (reverb, phone band,
 *   noise at 10–30 dB SNR).
 * - `living-room.wav` + `living-room.tsv`: a 16 kHz recording (a fan, a low babble of festival
 *   voices, keywords in unseen voices at known times, a few sentences of other speech) and its
 *   label file, one `start_s<TAB>end_s<TAB>class` line per keyword (what `quench stream --labels`
 *   reads). Label times are where the placed word is within 30 dB of its own peak.
 * - `quiet-room.wav`: pink noise at about −50 dBFS RMS.
 * - `manifest.json`: every file with its word, voice, festival voice id, room and level; the
 *   living room's keyword and sentence times; and the log of every external command run.
 *
 * Limitation: flite's kal and slt voices record the same speakers as festival's kal diphone and
 * slt HTS voices, so those two serve only as the user's voice; every "unseen" voice is one
 * speaker (ked) made into several by sox, which changes pitch, tempo and timbre but not accent or
 * the diphone inventory.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { decodeWav, encodeWav } from '../../core/features/wav';
import { createRng, shuffleInPlace, type Rng } from '../../core/util/rng';
import { tempNameFor } from '../../electron/main/services/atomic-write';

/** Sample rate of every file written, Hz. */
export const RATE = 16000;

/** The benchmark's words; none of them is in the keyword base's corpus. */
export const KEYWORDS = ['lights', 'music', 'stop'];

/** A festival voice (the name after `voice_`) turned into a "speaker" by sox. */
export interface VoiceSpec {
  id: string;
  /** Festival voice, as `(voice.list)` names it. */
  festival: 'kal_diphone' | 'ked_diphone' | 'cmu_us_slt_arctic_hts';
  /** sox `pitch`, cents (100 = one semitone); shifts formants too, like a different vocal tract. */
  pitchCents: number;
  /** sox `tempo` factor (> 1 faster), pitch kept. */
  tempo: number;
  /** Further sox effects: EQ and filters that change the timbre. */
  timbre: string[];
}

/** The user: festival's kal and slt, close to their own pitch and speed. */
export const USER_VOICES: VoiceSpec[] = [
  { id: 'user-kal', festival: 'kal_diphone', pitchCents: 0, tempo: 1, timbre: [] },
  { id: 'user-slt', festival: 'cmu_us_slt_arctic_hts', pitchCents: 0, tempo: 1, timbre: [] }
];

/** Unseen voices: one festival speaker (ked) made into several, 2–5 semitones apart. */
export const UNSEEN_VOICES: VoiceSpec[] = [
  {
    id: 'ked-deep',
    festival: 'ked_diphone',
    pitchCents: -450,
    tempo: 0.92,
    timbre: ['bass', '5']
  },
  {
    id: 'ked-high',
    festival: 'ked_diphone',
    pitchCents: 400,
    tempo: 1.06,
    timbre: ['treble', '4']
  },
  {
    id: 'ked-bright-fast',
    festival: 'ked_diphone',
    pitchCents: 250,
    tempo: 1.15,
    timbre: ['equalizer', '2500', '1q', '6']
  },
  {
    id: 'ked-dark-slow',
    festival: 'ked_diphone',
    pitchCents: -250,
    tempo: 0.85,
    timbre: ['treble', '-6']
  },
  {
    id: 'ked-nasal',
    festival: 'ked_diphone',
    pitchCents: 500,
    tempo: 1,
    timbre: ['equalizer', '1000', '0.7q', '8']
  },
  {
    id: 'ked-thin',
    festival: 'ked_diphone',
    pitchCents: -350,
    tempo: 1.05,
    timbre: ['highpass', '300']
  }
];

/** Voices of the babble and of the other speech in the living room (any festival voice). */
const BABBLE_VOICES: VoiceSpec[] = [
  { id: 'babble-kal', festival: 'kal_diphone', pitchCents: -200, tempo: 1.05, timbre: [] },
  { id: 'babble-slt', festival: 'cmu_us_slt_arctic_hts', pitchCents: 150, tempo: 1, timbre: [] },
  { id: 'babble-ked', festival: 'ked_diphone', pitchCents: 300, tempo: 0.95, timbre: [] }
];

/** Everyday sentences without any keyword: the babble and the "other speech" of the room. */
const BABBLE_SENTENCES = [
  'Did you remember to call your sister about the weekend?',
  'I think the train leaves at half past seven tomorrow morning.',
  'The soup needs a little more salt and some pepper.',
  'We could paint the fence green if the weather holds.',
  'Have you seen my glasses anywhere in the kitchen?',
  'The children are playing in the garden with the dog next door.',
  'Let me know when the parcel arrives at the front door.',
  'It was raining so hard that the road was flooded.'
];
const OTHER_SPEECH = [
  'Could you pass me the blue cup on the table, please?',
  'Tomorrow we are going to visit my grandmother in the country.',
  'I finished reading that book about the history of the city.',
  'The bakery on the corner sells bread until six in the evening.'
];

/** Noise of a room, generated in JavaScript from the seed. */
type NoiseKind = 'pink' | 'brown' | 'hiss' | 'fan';

/** A held-out room: sox effects after the voice, and the kind of noise under it. */
export interface Room {
  id: string;
  effects: string[];
  noise: NoiseKind;
}

export const HELD_OUT_ROOMS: Room[] = [
  { id: 'dry', effects: [], noise: 'pink' },
  { id: 'small-room', effects: ['reverb', '35', '50', '40'], noise: 'brown' },
  { id: 'hall', effects: ['reverb', '75', '30', '95'], noise: 'pink' },
  { id: 'phone', effects: ['sinc', '300-3400'], noise: 'hiss' },
  { id: 'far-kitchen', effects: ['lowpass', '3500', 'reverb', '55', '60', '70'], noise: 'fan' }
];

/**
 * The user's room: a light reverb whose amount and size change a little from take to take (the
 * user moves about); its noise is `USER_ROOM_NOISE_DBFS` of pink and brown.
 */
const USER_ROOM = 'user-room';
function userRoom(rng: Rng): Room {
  const reverberance = Math.round(15 + 20 * rng.next());
  const size = Math.round(30 + 20 * rng.next());
  return { id: USER_ROOM, effects: ['reverb', `${reverberance}`, '60', `${size}`], noise: 'brown' };
}
const USER_ROOM_NOISE_DBFS = -48;
/** The living room: a medium reverb; a fan at `FAN_DBFS` and babble at `BABBLE_DBFS` (RMS). */
const LIVING_ROOM: Room = {
  id: 'living-room',
  effects: ['reverb', '45', '50', '70'],
  noise: 'fan'
};
const FAN_DBFS = -46;
const BABBLE_DBFS = -42;
/** Living-room keywords' and sentences' speech level (RMS of their active frames), dBFS range. */
const KEYWORD_DBFS: [number, number] = [-26, -20];
const SENTENCE_DBFS: [number, number] = [-24, -20];
const QUIET_DBFS = -50;

export interface MaterialOptions {
  /** Folder the material is written into (created when missing). */
  out: string;
  seed?: number;
  words?: string[];
  /** The user's takes per word (default 10). */
  takesPerWord?: number;
  /** Seconds of the user's room noise in `project/background` (default 15). */
  backgroundSeconds?: number;
  /** Held-out takes per word (default 18). */
  heldOutPerWord?: number;
  /** How many of `UNSEEN_VOICES` the held-out takes and living-room keywords use (default 6). */
  unseenVoices?: number;
  /** Living-room recording length, seconds (default 120). */
  livingSeconds?: number;
  /** Keyword occurrences in the living room (default 23). */
  livingKeywords?: number;
  /** Sentences of other speech at normal level in the living room (default 3). */
  livingSentences?: number;
  /** Sentences each babble voice reads before it starts again (default 8, all of them). */
  babbleSentences?: number;
  /** Quiet-room recording length, seconds (default 60). */
  quietSeconds?: number;
  /** One line per step, for a progress log. */
  onProgress?: (line: string) => void;
}

/** One generated take. Paths are relative to the material folder. */
export interface TakeEntry {
  file: string;
  word: string;
  voice: string;
  festivalVoice: string;
  room: string;
  /** Speech level (RMS over the frames within 30 dB of its peak) over the noise's RMS, dB. */
  snrDb: number;
}

export interface TimedEvent {
  start: number;
  end: number;
  label: string;
  voice: string;
  festivalVoice: string;
}

export interface Manifest {
  seed: number;
  words: string[];
  /** The dataset folder for `quench train --data`. */
  project: string;
  projectTakes: TakeEntry[];
  background: string;
  backgroundSeconds: number;
  heldOut: TakeEntry[];
  voices: { user: VoiceSpec[]; unseen: VoiceSpec[]; babble: VoiceSpec[] };
  living: {
    wav: string;
    labels: string;
    seconds: number;
    /** The labelled keywords. */
    keywords: TimedEvent[];
    /** Other speech at normal level (not labelled: any detection in it is a false alarm). */
    speech: TimedEvent[];
    levels: {
      fanDbfs: number;
      babbleDbfs: number;
      keywordDbfs: [number, number];
      sentenceDbfs: [number, number];
    };
  };
  quiet: { wav: string; seconds: number; dbfs: number };
  /** Every external command run, as [program, ...arguments]. */
  commands: string[][];
}

/** A file written whole or not at all (temp name beside it, then rename). */
function writeAtomic(target: string, data: Uint8Array | string): void {
  mkdirSync(dirname(target), { recursive: true });
  const temp = tempNameFor(target);
  writeFileSync(temp, data);
  renameSync(temp, target);
}

const db = (dbfs: number) => 10 ** (dbfs / 20);

function rms(x: Float32Array, from = 0, to = x.length): number {
  let s = 0;
  for (let i = from; i < to; i++) s += x[i] * x[i];
  return Math.sqrt(s / Math.max(1, to - from));
}

/** 10 ms frames' RMS. */
function frameRms(x: Float32Array): Float32Array {
  const hop = RATE / 100;
  const out = new Float32Array(Math.ceil(x.length / hop));
  for (let f = 0; f < out.length; f++) out[f] = rms(x, f * hop, Math.min(x.length, (f + 1) * hop));
  return out;
}

/** The samples from the first to the last 10 ms frame within `rangeDb` of the loudest frame. */
export function audibleExtent(x: Float32Array, rangeDb = 30): { first: number; last: number } {
  const frames = frameRms(x);
  const floor = Math.max(...frames) * db(-rangeDb);
  const first = frames.findIndex((v) => v >= floor);
  let last = frames.length - 1;
  while (last > first && frames[last] < floor) last--;
  const hop = RATE / 100;
  return { first: Math.max(0, first) * hop, last: Math.min(x.length, (last + 1) * hop) };
}

/** RMS over the frames within 30 dB of the loudest: the level of the speech, pauses left out. */
export function activeRms(x: Float32Array): number {
  const frames = frameRms(x);
  const floor = Math.max(...frames) * db(-30);
  let s = 0;
  let n = 0;
  for (const v of frames) {
    if (v < floor) continue;
    s += v * v;
    n++;
  }
  return Math.sqrt(s / Math.max(1, n));
}

/**
 * Seeded noise of `n` samples at unit RMS. Pink: Paul Kellet's three-pole approximation of a
 * 1/f spectrum ("Filter to make pink noise from white", musicdsp.org, 1999). Brown: leaky
 * integrated white noise. Hiss: white noise above ~1 kHz. Fan: low-passed brown noise, a blade
 * hum at 70–130 Hz with two harmonics, and slow swell.
 */
export function noise(kind: NoiseKind, n: number, rng: Rng): Float32Array {
  const x = new Float32Array(n);
  let b0 = 0;
  let b1 = 0;
  let b2 = 0;
  let y = 0;
  let prev = 0;
  const hum = 70 + 60 * rng.next();
  const phase = 2 * Math.PI * rng.next();
  for (let i = 0; i < n; i++) {
    const w = 2 * rng.next() - 1;
    if (kind === 'pink') {
      b0 = 0.99765 * b0 + w * 0.099046;
      b1 = 0.963 * b1 + w * 0.2965164;
      b2 = 0.57 * b2 + w * 1.0526913;
      x[i] = b0 + b1 + b2 + w * 0.1848;
    } else if (kind === 'hiss') {
      x[i] = w - 0.85 * prev;
      prev = w;
    } else {
      y = 0.995 * y + 0.1 * w;
      if (kind === 'brown') x[i] = y;
      else {
        const t = i / RATE;
        const swell = 1 + 0.2 * Math.sin(2 * Math.PI * 0.3 * t + phase);
        const tone =
          Math.sin(2 * Math.PI * hum * t) +
          0.5 * Math.sin(4 * Math.PI * hum * t) +
          0.25 * Math.sin(6 * Math.PI * hum * t);
        x[i] = swell * (y + 0.08 * tone);
      }
    }
  }
  const r = rms(x) || 1;
  for (let i = 0; i < n; i++) x[i] /= r;
  return x;
}

function scale(x: Float32Array, gain: number): Float32Array {
  for (let i = 0; i < x.length; i++) x[i] *= gain;
  return x;
}

function addAt(into: Float32Array, x: Float32Array, at: number): void {
  for (let i = 0; i < x.length && at + i < into.length; i++) if (at + i >= 0) into[at + i] += x[i];
}

/**
 * `x` scaled to a speech level (`activeRms`) of `dbfs`, or lower where that would put its peak
 * over −1 dBFS (the room is written as 16-bit PCM, which clips at full scale).
 */
function atLevel(x: Float32Array, dbfs: number): Float32Array {
  const gain = Math.min(db(dbfs) / (activeRms(x) || 1), db(-1) / (peak(x) || 1));
  return scale(x, gain);
}

function peak(x: Float32Array): number {
  let p = 0;
  for (const v of x) p = Math.max(p, Math.abs(v));
  return p;
}

/**
 * Generates the material into `options.out` (see the file's comment). Seeded: the same options
 * give the same files. Throws when festival or sox fails (with the command and its stderr) or
 * when the options can't be met (too many events for the living room's length).
 */
export function makeGeneralizeMaterial(options: MaterialOptions): Manifest {
  const o = {
    seed: 1,
    words: KEYWORDS,
    takesPerWord: 10,
    backgroundSeconds: 15,
    heldOutPerWord: 18,
    unseenVoices: UNSEEN_VOICES.length,
    livingSeconds: 120,
    livingKeywords: 23,
    livingSentences: 3,
    babbleSentences: BABBLE_SENTENCES.length,
    quietSeconds: 60,
    ...options
  };
  const whole = (name: keyof typeof o, lo: number, hi: number) => {
    const v = o[name] as number;
    if (!(Number.isInteger(v) && v >= lo && v <= hi))
      throw new Error(
        `material option ${name} must be a whole number from ${lo} to ${hi}, got ${v}`
      );
  };
  whole('takesPerWord', 1, 1000);
  whole('heldOutPerWord', 1, 1000);
  whole('unseenVoices', 1, UNSEEN_VOICES.length);
  whole('livingKeywords', 1, 1000);
  whole('livingSentences', 0, OTHER_SPEECH.length);
  whole('babbleSentences', 1, BABBLE_SENTENCES.length);
  for (const name of ['backgroundSeconds', 'livingSeconds', 'quietSeconds'] as const)
    if (!(o[name] > 0 && o[name] <= 3600))
      throw new Error(`material option ${name} must be seconds from 0 to 3600, got ${o[name]}`);
  if (o.words.length === 0 || o.words.some((w) => !/^[a-z]+$/.test(w)))
    throw new Error(
      `material words must be lower-case English words, got ${JSON.stringify(o.words)}`
    );
  const log = o.onProgress ?? (() => {});
  const rng = createRng(o.seed);
  const work = mkdtempSync(join(tmpdir(), 'quench-generalize-'));
  const commands: string[][] = [];
  const run = (program: string, args: string[]) => {
    commands.push([program, ...args.map((a) => a.replace(work, '$WORK'))]);
    try {
      execFileSync(program, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    } catch (e) {
      const stderr = (e as { stderr?: Buffer }).stderr?.toString().trim();
      throw new Error(`${program} ${args.join(' ')} failed: ${stderr || (e as Error).message}`);
    }
  };
  let made = 0;
  /** Festival speaks `text`; sox applies the voice, a variation and the room → 16 kHz samples. */
  const render = (
    text: string,
    voice: VoiceSpec,
    room: Room | undefined,
    vary: Variation
  ): Float32Array => {
    const n = made++;
    const txt = join(work, `${n}.txt`);
    const raw = join(work, `${n}-raw.wav`);
    const shaped = join(work, `${n}.wav`);
    writeFileSync(txt, text);
    // Festival's own duration scale works for the diphone voices (HTS voices ignore it).
    const stretch =
      vary.stretch !== undefined && voice.festival !== 'cmu_us_slt_arctic_hts'
        ? ['-eval', `(Parameter.set 'Duration_Stretch ${vary.stretch.toFixed(3)})`]
        : [];
    run('text2wave', ['-eval', `(voice_${voice.festival})`, ...stretch, '-o', raw, txt]);
    const cents = voice.pitchCents + vary.cents;
    const tempo = voice.tempo * vary.tempo;
    run('sox', [
      '-D',
      raw,
      '-r',
      String(RATE),
      '-c',
      '1',
      '-e',
      'floating-point',
      '-b',
      '32',
      shaped,
      'gain',
      '-6',
      'pad',
      '0',
      '0.6',
      ...(cents !== 0 ? ['pitch', String(Math.round(cents))] : []),
      ...(Math.abs(tempo - 1) > 1e-3 ? ['tempo', tempo.toFixed(3)] : []),
      ...voice.timbre,
      ...(room?.effects ?? [])
    ]);
    const x = decodeWav(new Uint8Array(readFileSync(shaped)), shaped).channels[0];
    const { first, last } = audibleExtent(x);
    return x.slice(first, last);
  };
  const outPath = (...parts: string[]) => join(o.out, ...parts);
  const rel = (p: string) => relative(o.out, p);

  /** One take: the word after a short lead, over `noiseOf(len)` at `snrDb`, peak at `peakDbfs`. */
  const take = (
    word: Float32Array,
    peakDbfs: number,
    noiseUnder: (n: number, speechRms: number) => Float32Array
  ): { samples: Float32Array; snrDb: number } => {
    scale(word, db(peakDbfs) / (peak(word) || 1));
    const lead = Math.round((0.2 + 0.25 * rng.next()) * RATE);
    const n = Math.max(Math.round(1.5 * RATE), lead + word.length + Math.round(0.25 * RATE));
    const speech = activeRms(word);
    const samples = noiseUnder(n, speech);
    const snrDb = 20 * Math.log10(speech / (rms(samples) || 1e-12));
    addAt(samples, word, lead);
    return { samples, snrDb };
  };

  try {
    // The user's project: their two voices, their room, its steady noise.
    const projectTakes: TakeEntry[] = [];
    const userNoise = (n: number) => {
      const x = noise('pink', n, rng);
      const b = noise('brown', n, rng);
      for (let i = 0; i < n; i++) x[i] = (x[i] + b[i]) / Math.SQRT2;
      return scale(x, db(USER_ROOM_NOISE_DBFS));
    };
    for (const word of o.words) {
      for (let k = 0; k < o.takesPerWord; k++) {
        const voice = USER_VOICES[k % USER_VOICES.length];
        const x = render(word, voice, userRoom(rng), {
          cents: Math.round(160 * rng.next() - 80),
          tempo: 0.94 + 0.12 * rng.next(),
          stretch: 0.9 + 0.25 * rng.next()
        });
        const t = take(x, -14 + 10 * rng.next(), (n) => userNoise(n));
        const file = outPath('project', word, `${word}-${String(k + 1).padStart(2, '0')}.wav`);
        writeAtomic(file, encodeWav([t.samples], RATE));
        projectTakes.push({
          file: rel(file),
          word,
          voice: voice.id,
          festivalVoice: voice.festival,
          room: USER_ROOM,
          snrDb: t.snrDb
        });
      }
      log(`project: ${o.takesPerWord} takes of "${word}"`);
    }
    const background = outPath('project', 'background', 'room.wav');
    writeAtomic(background, encodeWav([userNoise(Math.round(o.backgroundSeconds * RATE))], RATE));

    // Held-out takes: unseen voices in varied rooms, 10–30 dB SNR.
    const unseen = UNSEEN_VOICES.slice(0, o.unseenVoices);
    const heldOut: TakeEntry[] = [];
    for (const [w, word] of o.words.entries()) {
      for (let k = 0; k < o.heldOutPerWord; k++) {
        const voice = unseen[k % unseen.length];
        const room =
          HELD_OUT_ROOMS[(k + Math.floor(k / unseen.length) + w) % HELD_OUT_ROOMS.length];
        const x = render(word, voice, room, {
          cents: Math.round(100 * rng.next() - 50),
          tempo: 0.96 + 0.08 * rng.next()
        });
        const snr = 10 + 20 * rng.next();
        const t = take(x, -20 + 17 * rng.next(), (n, speech) =>
          scale(noise(room.noise, n, rng), speech * db(-snr))
        );
        const file = outPath(
          'heldout',
          word,
          `${word}-${String(k + 1).padStart(2, '0')}-${voice.id}-${room.id}.wav`
        );
        writeAtomic(file, encodeWav([t.samples], RATE));
        heldOut.push({
          file: rel(file),
          word,
          voice: voice.id,
          festivalVoice: voice.festival,
          room: room.id,
          snrDb: t.snrDb
        });
      }
      log(`held-out: ${o.heldOutPerWord} takes of "${word}"`);
    }

    // The living room.
    const living = livingRoom(o, rng, unseen, render);
    const livingWav = outPath('living-room.wav');
    const livingTsv = outPath('living-room.tsv');
    writeAtomic(livingWav, encodeWav([living.samples], RATE));
    writeAtomic(
      livingTsv,
      living.keywords
        .map((e) => `${e.start.toFixed(3)}\t${e.end.toFixed(3)}\t${e.label}`)
        .join('\n') + '\n'
    );
    log(
      `living room: ${o.livingSeconds} s, ${living.keywords.length} keywords, ${living.speech.length} sentences`
    );

    const quietWav = outPath('quiet-room.wav');
    writeAtomic(
      quietWav,
      encodeWav(
        [scale(noise('pink', Math.round(o.quietSeconds * RATE), rng), db(QUIET_DBFS))],
        RATE
      )
    );

    const manifest: Manifest = {
      seed: o.seed,
      words: o.words,
      project: 'project',
      projectTakes,
      background: rel(background),
      backgroundSeconds: o.backgroundSeconds,
      heldOut,
      voices: { user: USER_VOICES, unseen, babble: BABBLE_VOICES },
      living: {
        wav: rel(livingWav),
        labels: rel(livingTsv),
        seconds: o.livingSeconds,
        keywords: living.keywords,
        speech: living.speech,
        levels: {
          fanDbfs: FAN_DBFS,
          babbleDbfs: BABBLE_DBFS,
          keywordDbfs: KEYWORD_DBFS,
          sentenceDbfs: SENTENCE_DBFS
        }
      },
      quiet: { wav: rel(quietWav), seconds: o.quietSeconds, dbfs: QUIET_DBFS },
      commands
    };
    writeAtomic(outPath('manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
    return manifest;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** A take's own variation on its voice. */
interface Variation {
  /** sox pitch, cents, added to the voice's. */
  cents: number;
  /** sox tempo factor, times the voice's. */
  tempo: number;
  /** Festival's Duration_Stretch (> 1 slower); diphone voices only. */
  stretch?: number;
}

type Render = (
  text: string,
  voice: VoiceSpec,
  room: Room | undefined,
  vary: Variation
) => Float32Array;

/**
 * The living-room recording: fan, babble, then keywords and sentences spread over the length in
 * a seeded order with seeded gaps (each gap ≥ 1.2 s, so a detection can't hear two events).
 */
function livingRoom(
  o: Required<Omit<MaterialOptions, 'onProgress'>>,
  rng: Rng,
  unseen: VoiceSpec[],
  render: Render
): { samples: Float32Array; keywords: TimedEvent[]; speech: TimedEvent[] } {
  const n = Math.round(o.livingSeconds * RATE);
  const samples = scale(noise('fan', n, rng), db(FAN_DBFS));
  // Babble: each babble voice reads all the sentences from a random point on, distant and low.
  const babble = new Float32Array(n);
  for (const [i, voice] of BABBLE_VOICES.entries()) {
    const order = [...BABBLE_SENTENCES.slice(i * 2), ...BABBLE_SENTENCES.slice(0, i * 2)];
    const text = order.slice(0, o.babbleSentences).join(' ');
    const x = render(text, voice, HELD_OUT_ROOMS[2], { cents: 0, tempo: 1 });
    const r = activeRms(x) || 1;
    let at = -rng.int(x.length);
    while (at < n) {
      addAt(babble, scale(x.slice(), 1 / r), at);
      at += x.length + Math.round((0.5 + rng.next()) * RATE);
    }
  }
  addAt(samples, scale(babble, db(BABBLE_DBFS) / (rms(babble) || 1)), 0);

  type Planned = { kind: 'keyword' | 'speech'; label: string; voice: VoiceSpec; x: Float32Array };
  const planned: Planned[] = [];
  for (let k = 0; k < o.livingKeywords; k++) {
    const word = o.words[k % o.words.length];
    const voice = unseen[(k + Math.floor(k / o.words.length)) % unseen.length];
    const x = render(word, voice, LIVING_ROOM, {
      cents: Math.round(100 * rng.next() - 50),
      tempo: 0.96 + 0.08 * rng.next()
    });
    planned.push({
      kind: 'keyword',
      label: word,
      voice,
      x: atLevel(x, KEYWORD_DBFS[0] + (KEYWORD_DBFS[1] - KEYWORD_DBFS[0]) * rng.next())
    });
  }
  const speakers = [USER_VOICES[1], unseen[1 % unseen.length], USER_VOICES[0], BABBLE_VOICES[2]];
  for (let s = 0; s < o.livingSentences; s++) {
    const voice = speakers[s % speakers.length];
    const x = render(OTHER_SPEECH[s], voice, LIVING_ROOM, { cents: 0, tempo: 1 });
    planned.push({
      kind: 'speech',
      label: 'speech',
      voice,
      x: atLevel(x, SENTENCE_DBFS[0] + (SENTENCE_DBFS[1] - SENTENCE_DBFS[0]) * rng.next())
    });
  }
  shuffleInPlace(planned, rng);
  const busy = planned.reduce((s, p) => s + p.x.length, 0) / RATE;
  const free = o.livingSeconds - 1 - busy;
  const weights = planned.map(() => 0.7 + 0.6 * rng.next());
  const total = weights.reduce((a, b) => a + b, 0);
  if ((free * Math.min(...weights)) / total < 1.2)
    throw new Error(
      `the living room's ${o.livingSeconds} s can't hold ${planned.length} events (${busy.toFixed(1)} s of speech) with gaps of 1.2 s`
    );
  const keywords: TimedEvent[] = [];
  const speech: TimedEvent[] = [];
  let t = 0;
  planned.forEach((p, i) => {
    t += (free * weights[i]) / total;
    const at = Math.round(t * RATE);
    addAt(samples, p.x, at);
    const e = {
      start: at / RATE,
      end: (at + p.x.length) / RATE,
      label: p.label,
      voice: p.voice.id,
      festivalVoice: p.voice.festival
    };
    (p.kind === 'keyword' ? keywords : speech).push(e);
    t = e.end;
  });
  return { samples, keywords, speech };
}
