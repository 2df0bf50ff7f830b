/**
 * The recipe of the synthesised sound corpus: which voices may speak, the ranges every take's
 * voice and effects are drawn from, and the drawing itself. Everything a take will be is drawn
 * here up front from its own seeded generator, so the same seed gives the same choices whatever
 * was already on disk or how many workers ran.
 *
 * Only espeak-ng and flite voices: festival and its festvox voices are kept for evaluation.
 */
import type { Rng } from '../../core/util/rng';
import { drawHum, type Hum, type NoiseColour } from './noise';

/** espeak-ng 1.51's English voices that need no MBROLA (`espeak-ng --voices=en`, gmw/*). */
export const ESPEAK_VOICES = [
  'en',
  'en-us',
  'en-us-nyc',
  'en-gb-scotland',
  'en-gb-x-rp',
  'en-gb-x-gbclan',
  'en-gb-x-gbcwmd',
  'en-029'
] as const;

/** espeak-ng 1.51's voice variants (espeak-ng-data/voices/!v); null is the voice unchanged. */
export const ESPEAK_VARIANTS = [
  ...['m1', 'm2', 'm3', 'm4', 'm5', 'm6', 'm7', 'm8', 'f1', 'f2', 'f3', 'f4', 'f5'],
  ...['klatt', 'klatt2', 'klatt3', 'klatt4', 'klatt5', 'klatt6'],
  ...['Alex', 'Alicia', 'Andrea', 'Andy', 'Annie', 'AnxiousAndy', 'Demonic', 'Denis', 'Diogo'],
  ...['Gene', 'Gene2', 'Henrique', 'Hugo', 'Jacky', 'Lee', 'Marco', 'Mario', 'Michael', 'Mike'],
  ...['Mr serious', 'Nguyen', 'RicishayMax', 'RicishayMax2', 'RicishayMax3', 'Storm', 'Tweaky'],
  ...['UniRobot', 'adam', 'anika', 'anikaRobot', 'announcer', 'antonio', 'aunty', 'belinda'],
  ...['benjamin', 'boris', 'caleb', 'croak', 'david', 'ed', 'edward', 'edward2', 'fast'],
  ...['grandma', 'grandpa', 'gustave', 'iven', 'iven2', 'iven3', 'iven4', 'john', 'kaukovalta'],
  ...['linda', 'marcelo', 'max', 'michel', 'miguel', 'norbert', 'pablo', 'paul', 'pedro'],
  ...['quincy', 'rob', 'robert', 'robosoft', 'robosoft2', 'robosoft3', 'robosoft4', 'robosoft5'],
  ...['robosoft6', 'robosoft7', 'robosoft8', 'sandro', 'shelby', 'steph', 'steph2', 'steph3'],
  ...['travis', 'victor', 'whisper', 'whisperf']
];

/**
 * flite 2.2's general voices (`flite -lv`, less awb_time, which only speaks clock times), each
 * with the range of `int_f0_target_mean` (Hz) drawn for it: around its own speaker's pitch.
 * rms ignores `int_f0_target_mean` (measured: same bytes at 80 and 200 Hz), so it gets none;
 * its pitch varies through the sox pitch effect only.
 */
export const FLITE_VOICES: Record<string, [number, number] | null> = {
  kal: [80, 150],
  kal16: [80, 150],
  awb: [85, 150],
  rms: null,
  slt: [140, 240]
};

/** The ranges and probabilities every take is drawn from (recorded whole in the manifest). */
export const RECIPE = {
  /** Share of takes spoken by flite; the rest by espeak-ng. */
  fliteShare: 1 / 3,
  /** Share of espeak-ng takes with a variant (else the voice as it is). */
  espeakVariantShare: 0.8,
  espeakWpm: [110, 230],
  espeakPitch: [10, 90],
  fliteDurationStretch: [0.75, 1.35],
  /** Silence kept before and after the spoken word (s): the file is the word plus ≤ 0.1 s. */
  marginSeconds: [0.02, 0.09],
  /** A take longer than allowed is spoken again this much faster, at most `retries` times. */
  speedUp: 1.25,
  retries: 3,
  /** Share of takes with no effect at all (only the level is drawn). */
  noEffectShare: 0.2,
  /** Each effect's share among the other takes, and its range. */
  pitch: { share: 0.5, cents: [-200, 200] },
  tempo: { share: 0.4, factor: [0.9, 1.1] },
  filter: {
    share: 0.4,
    kinds: ['telephone', 'lowpass', 'highpass', 'tilt'],
    telephoneHz: [300, 3400],
    lowpassHz: [2500, 6000],
    highpassHz: [100, 400],
    tiltDb: [-8, 8]
  },
  reverb: {
    share: 0.3,
    reverberance: [10, 90],
    hfDamping: [20, 80],
    roomScale: [10, 100],
    preDelayMs: [0, 40]
  },
  hum: { share: 0.2, snrDb: [10, 35] },
  noise: { share: 0.5, colours: ['white', 'pink', 'brown'], snrDb: [0, 30] },
  /** Every take is scaled so its peak lands here (dBFS). */
  peakDbfs: [-30, -1],
  /** Phrases of the “other speech” class. */
  phrase: { seconds: [1, 4], words: [3, 8], functionWordShare: 0.35 },
  /** Background recordings. */
  background: {
    kinds: ['babble', 'silence', 'hum', 'fan', 'white', 'pink', 'brown'],
    /** RMS (dBFS) of the noise recordings (white, pink, brown, hum, fan, babble). */
    rmsDbfs: [-45, -18],
    silenceRmsDbfs: [-60, -45],
    babbleTalkers: [6, 10],
    babbleRmsDbfs: [-40, -24]
  }
} as const;

export type BackgroundKind = (typeof RECIPE.background.kinds)[number];

export type Tts =
  | { engine: 'espeak-ng'; voice: string; variant: string | null; wpm: number; pitch: number }
  | { engine: 'flite'; voice: string; durationStretch: number; f0Mean: number | null };

export type Filter =
  | { kind: 'telephone'; lowHz: number; highHz: number }
  | { kind: 'lowpass'; hz: number }
  | { kind: 'highpass'; hz: number }
  | { kind: 'tilt'; bassDb: number; trebleDb: number };

/** A take's effects: those present are applied, in the order sox runs them (see sox-chain). */
export interface Effects {
  pitchCents?: number;
  tempo?: number;
  filter?: Filter;
  reverb?: { reverberance: number; hfDamping: number; roomScale: number; preDelayMs: number };
  /** Mixed in after sox, at this many dB under the speech's RMS. */
  hum?: Hum & { snrDb: number };
  noise?: { colour: NoiseColour; snrDb: number };
}

/** Everything drawn for one take before it is spoken. */
export interface TakePlan {
  tts: Tts;
  /** null: no effect at all (the ~20 % clean takes). */
  effects: Effects | null;
  leadSeconds: number;
  tailSeconds: number;
  peakDbfs: number;
  /** Seed of the take's own generator for its noise and hum samples. */
  noiseSeed: number;
}

const uniform = (rng: Rng, [lo, hi]: readonly [number, number], digits = 3): number =>
  Number((lo + (hi - lo) * rng.next()).toFixed(digits));
const pick = <T>(rng: Rng, items: readonly T[]): T => items[rng.int(items.length)];

export function drawTts(rng: Rng): Tts {
  if (rng.next() < RECIPE.fliteShare) {
    const voice = pick(rng, Object.keys(FLITE_VOICES));
    const f0 = FLITE_VOICES[voice];
    return {
      engine: 'flite',
      voice,
      durationStretch: uniform(rng, RECIPE.fliteDurationStretch),
      f0Mean: f0 ? Math.round(uniform(rng, f0)) : null
    };
  }
  return {
    engine: 'espeak-ng',
    voice: pick(rng, ESPEAK_VOICES),
    variant: rng.next() < RECIPE.espeakVariantShare ? pick(rng, ESPEAK_VARIANTS) : null,
    wpm: Math.round(uniform(rng, RECIPE.espeakWpm)),
    pitch: Math.round(uniform(rng, RECIPE.espeakPitch))
  };
}

function drawFilter(rng: Rng): Filter {
  const f = RECIPE.filter;
  const kind = pick(rng, f.kinds);
  if (kind === 'telephone') return { kind, lowHz: f.telephoneHz[0], highHz: f.telephoneHz[1] };
  if (kind === 'lowpass') return { kind, hz: Math.round(uniform(rng, f.lowpassHz)) };
  if (kind === 'highpass') return { kind, hz: Math.round(uniform(rng, f.highpassHz)) };
  return { kind, bassDb: uniform(rng, f.tiltDb, 1), trebleDb: uniform(rng, f.tiltDb, 1) };
}

export function drawEffects(rng: Rng): Effects | null {
  if (rng.next() < RECIPE.noEffectShare) return null;
  const e: Effects = {};
  const r = RECIPE;
  if (rng.next() < r.pitch.share) e.pitchCents = Math.round(uniform(rng, r.pitch.cents));
  if (rng.next() < r.tempo.share) e.tempo = uniform(rng, r.tempo.factor);
  if (rng.next() < r.filter.share) e.filter = drawFilter(rng);
  if (rng.next() < r.reverb.share) {
    e.reverb = {
      reverberance: Math.round(uniform(rng, r.reverb.reverberance)),
      hfDamping: Math.round(uniform(rng, r.reverb.hfDamping)),
      roomScale: Math.round(uniform(rng, r.reverb.roomScale)),
      preDelayMs: Math.round(uniform(rng, r.reverb.preDelayMs))
    };
  }
  if (rng.next() < r.hum.share) e.hum = { ...drawHum(rng), snrDb: uniform(rng, r.hum.snrDb, 1) };
  if (rng.next() < r.noise.share) {
    e.noise = { colour: pick(rng, r.noise.colours), snrDb: uniform(rng, r.noise.snrDb, 1) };
  }
  return e;
}

export function drawTake(rng: Rng): TakePlan {
  return {
    tts: drawTts(rng),
    effects: drawEffects(rng),
    leadSeconds: uniform(rng, RECIPE.marginSeconds),
    tailSeconds: uniform(rng, RECIPE.marginSeconds),
    peakDbfs: uniform(rng, RECIPE.peakDbfs, 1),
    noiseSeed: rng.seed()
  };
}

/** The same voice made `factor` times faster (higher wpm, or a shorter flite duration stretch). */
export function faster(tts: Tts, factor: number): Tts {
  return tts.engine === 'espeak-ng'
    ? { ...tts, wpm: Math.min(450, Math.round(tts.wpm * factor)) }
    : { ...tts, durationStretch: Number((tts.durationStretch / factor).toFixed(3)) };
}

/** A phrase as drawn: its words in order (function words between some) and how many to speak first. */
export interface PhrasePlan extends TakePlan {
  /** Words in order; the first `count` are spoken first, more when the phrase is under 1 s. */
  words: string[];
  count: number;
}

/**
 * Draws a phrase of the “other speech” class: 3–8 content words from `pool` (each preceded by a
 * function word with probability 0.35), plus four spare words to lengthen a phrase under 1 s.
 */
export function drawPhrase(
  rng: Rng,
  pool: readonly string[],
  functionWords: readonly string[]
): PhrasePlan {
  const p = RECIPE.phrase;
  const content = p.words[0] + rng.int(p.words[1] - p.words[0] + 1);
  const words: string[] = [];
  let count = 0;
  for (let i = 0; i < content + 4; i++) {
    if (i > 0 && rng.next() < p.functionWordShare) words.push(pick(rng, functionWords));
    words.push(pick(rng, pool));
    if (i === content - 1) count = words.length;
  }
  return { ...drawTake(rng), words, count };
}

export { pick, uniform };
