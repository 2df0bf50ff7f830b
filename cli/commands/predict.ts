/**
 * quench predict: one line per file with the class and its probability. A sound file is judged
 * on its loudest second, as training judges a one-word clip; a longer recording with several
 * utterances gets a note saying so and pointing at `quench stream`, which judges every part. A
 * sound file whose loudest second is silent (Live's measure of a window: its peak under −70 dBFS)
 * is nothing heard, as Live shows it, whatever the model would guess: the model's background class
 * when it has one, else "nothing heard", with no probability.
 */
import { resolve } from 'node:path';
import { isBackgroundClass, loudestWindow } from '../../core/data/dataset';
import { featureSettings, predictContents } from '../../core/data/pipeline';
import { decodeImage, imageFeatures } from '../../core/features/image';
import { clipGeometry, FeatureError, LogMelFrontEnd } from '../../core/features/logmel';
import { AudioError } from '../../core/features/audio-error';
import { isSilence, SILENCE_DB } from '../../core/features/level';
import { audioClips } from '../../core/data/clips';
import { runInt } from '../../core/engine/engine';
import { initTrainingBackend } from '../../core/train/backend/init-backend';
import {
  choiceFlag,
  InputError,
  intModelOf,
  loadModel,
  readBytes,
  required,
  UsageError,
  type Io,
  type Values
} from '../common';

/** One file's answer: the top class and its probability, or silence (nothing heard). */
interface PredictionRow {
  file: string;
  /** The top class; for silence the model's background class, or null when it has none. */
  class: string | null;
  /** The top class's probability in [0, 1]; null for silence. */
  probability: number | null;
  silent?: true;
  /** A sound file's length in seconds. */
  seconds?: number;
}

export async function cmdPredict(v: Values, files: string[], io: Io): Promise<number> {
  const contents = await loadModel(resolve(required(v, 'model')));
  if (files.length === 0) throw new UsageError('predict needs at least one FILE');
  const settings = featureSettings(contents.spec);
  const shape = contents.spec.input.shape as [number, number, number];
  const per = shape[0] * shape[1] * shape[2];
  const x = new Float32Array(files.length * per);
  const length: (number | undefined)[] = [];
  // A file that can't be read is named with its reason; the others are still predicted.
  const failed = new Map<number, string>();
  /** Files whose sound is silence: nothing heard, whatever the model says. */
  const silent = new Set<number>();
  for (const [i, file] of files.entries()) {
    try {
      const bytes = await readBytes(file, 'file');
      let features: Float32Array;
      if (settings.kind === 'logmel') {
        const { samples, warnings, clips } = await audioClips(bytes, file, settings, false);
        for (const w of warnings) io.err(`${file}: ${w}`);
        length[i] = samples.length / settings.sampleRate;
        if (clips.length > 1) {
          io.err(
            `${file}: ${length[i]!.toFixed(1)} s with ${clips.length} utterances; judged its loudest second only — \`quench stream --model M --audio ${file}\` judges every part`
          );
        }
        const judged = loudestWindow(samples, clipGeometry(settings).samples);
        if (isSilence(judged)) {
          silent.add(i);
          io.err(`${file}: silent (its peak is under −${-SILENCE_DB} dBFS): nothing heard`);
        }
        features = new LogMelFrontEnd(settings).clip(judged);
      } else {
        features = imageFeatures(decodeImage(bytes, settings.background ?? 1), settings);
      }
      x.set(features, i * per);
    } catch (e) {
      if (e instanceof AudioError || e instanceof FeatureError)
        failed.set(i, `${file}: ${e.message}`);
      else if (e instanceof InputError) failed.set(i, e.message);
      else throw e;
    }
  }
  const engine = choiceFlag(v, 'engine', ['int', 'float'] as const) ?? 'int';
  let probs: Float32Array;
  if (engine === 'int') {
    const model = intModelOf(contents, resolve(required(v, 'model')));
    probs = new Float32Array(files.length * contents.labels.length);
    files.forEach((_, i) =>
      probs.set(
        runInt(model, x.subarray(i * per, (i + 1) * per)).probabilities,
        i * contents.labels.length
      )
    );
  } else {
    await initTrainingBackend({ backend: 'wasm' });
    probs = predictContents(contents, {
      x,
      y: new Int32Array(files.length),
      count: files.length,
      shape,
      classes: contents.labels.length
    });
  }
  const k = contents.labels.length;
  const background = contents.labels.find(isBackgroundClass);
  const rows = files.flatMap((file, i): PredictionRow[] => {
    if (failed.has(i)) return [];
    const seconds = length[i] === undefined ? {} : { seconds: length[i] };
    if (silent.has(i)) {
      return [{ file, class: background ?? null, probability: null, silent: true, ...seconds }];
    }
    const p = Array.from(probs.subarray(i * k, (i + 1) * k));
    const best = p.indexOf(Math.max(...p));
    return [{ file, class: contents.labels[best], probability: p[best], ...seconds }];
  });
  const errors = [...failed.values()];
  if (v.json) io.out(JSON.stringify({ predictions: rows, ...(errors.length ? { errors } : {}) }));
  else {
    for (const r of rows) {
      io.out(
        r.probability === null
          ? `${r.file}\t${r.class ?? 'nothing heard'}\t-`
          : `${r.file}\t${r.class}\t${r.probability.toFixed(4)}`
      );
    }
  }
  for (const e of errors) io.err(e);
  return errors.length > 0 ? 1 : 0;
}
