/**
 * quench predict: one line per file with the class and its probability. A sound file is judged
 * on its loudest second, as training judges a one-word clip; a longer recording with several
 * utterances gets a note saying so and pointing at `quench stream`, which judges every part.
 */
import { resolve } from 'node:path';
import { loudestWindow } from '../../core/data/dataset';
import { featureSettings, predictContents } from '../../core/data/pipeline';
import { decodeImage, imageFeatures } from '../../core/features/image';
import { clipGeometry, FeatureError, LogMelFrontEnd } from '../../core/features/logmel';
import { AudioError } from '../../core/features/audio-error';
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
        features = new LogMelFrontEnd(settings).clip(
          loudestWindow(samples, clipGeometry(settings).samples)
        );
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
  const rows = files.flatMap((file, i) => {
    if (failed.has(i)) return [];
    const p = Array.from(probs.subarray(i * k, (i + 1) * k));
    const best = p.indexOf(Math.max(...p));
    return [
      {
        file,
        class: contents.labels[best],
        probability: p[best],
        ...(length[i] === undefined ? {} : { seconds: length[i] })
      }
    ];
  });
  const errors = [...failed.values()];
  if (v.json) io.out(JSON.stringify({ predictions: rows, ...(errors.length ? { errors } : {}) }));
  else for (const r of rows) io.out(`${r.file}\t${r.class}\t${r.probability.toFixed(4)}`);
  for (const e of errors) io.err(e);
  return errors.length > 0 ? 1 : 0;
}
