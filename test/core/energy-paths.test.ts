/**
 * Train's energy per inference (a run's record, the runs table), `quench eval`'s and Live's meter
 * are one computation (core/energy estimate on the integer engine's counts) on different inputs:
 * a run's figure is the mean over its training clips, eval's over the clips it is given, Live's is
 * the window just heard. Given the same clips, the mean of Live's per-window figures is the
 * figure Train and eval report, so the three differ only by what each was measured on.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { energySummary } from '../../core/data/pipeline';
import { estimateEnergy } from '../../core/energy/estimate';
import { evaluateInt } from '../../core/engine/evaluate-int';
import { LayerReport } from '../../core/live/layer-report';
import { LivePath } from '../../core/live/live-path';
import { decodeModel } from '../../core/model-file/model-file';
import { createRng } from '../../core/util/rng';

const contents = decodeModel(
  new Uint8Array(readFileSync(join(import.meta.dirname, '..', '..', 'models', 'demo-words.qnm')))
);
const rng = createRng(3);
const second = (f: (t: number) => number) =>
  Float32Array.from({ length: 16000 }, (_, i) => f(i / 16000));
/** Inputs whose activations differ in sparsity: silence, noise, voiced tones, a chirp. */
const clips = [
  second(() => 0),
  second(() => 0.01 * (rng.next() - 0.5)),
  second(() => 0.3 * (rng.next() - 0.5)),
  second((t) => (t > 0.3 && t < 0.7 ? 0.4 * Math.sin(2 * Math.PI * 180 * t) : 0)),
  second((t) => 0.2 * Math.sin(2 * Math.PI * (200 + 1500 * t) * t)),
  second((t) => {
    let v = 0;
    for (let h = 1; h <= 10; h++) v += Math.sin(2 * Math.PI * 120 * h * t) / h;
    return 0.25 * v * Math.sin(Math.PI * t);
  })
];

test('the mean of Live’s per-window energy is what Train and eval report on the same clips', () => {
  const live: number[] = [];
  const features: Float32Array[] = [];
  for (const clip of clips) {
    // One window of exactly this clip, as the microphone would deliver it.
    const path = new LivePath(contents, { overlap: 0 });
    const [step] = path.audio(clip);
    live.push(new LayerReport(path.model).report(step.result).energy.totalPj);
    features.push(step.features);
  }
  const model = new LivePath(contents).model;
  const per = features[0].length;
  const x = new Float32Array(per * features.length);
  features.forEach((f, i) => x.set(f, i * per));
  const examples = {
    x,
    y: new Int32Array(features.length),
    count: features.length,
    shape: contents.spec.input.shape as [number, number, number],
    classes: contents.labels.length
  };
  // What Train records (pipeline energySummary) and eval prints, on these clips.
  const { energy } = evaluateInt(model, examples);
  const train = energySummary(energy!, clips.length);
  expect(train.clips).toBe(clips.length);
  const mean = live.reduce((a, b) => a + b, 0) / live.length;
  // The inputs really differ (silence costs less than speech-like sound) …
  expect(Math.max(...live) / Math.min(...live)).toBeGreaterThan(1.2);
  // … and Train and eval give exactly the mean of what Live shows on each of them. (Estimating
  // from the mean counts instead gave 1.9 % more here: the run-length coder caps each input at
  // its dense size, and averaging counts first loses that.)
  expect(train.totalPj).toBeCloseTo(mean, 6);
  expect(train.totalPj).not.toBeCloseTo(
    estimateEnergy(model, evaluateInt(model, examples).layers).totalPj,
    0
  );
});
