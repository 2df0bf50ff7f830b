/**
 * ONNX with the front end inside, checked in onnxruntime-web against the app's own predictions
 * (core's live path) on the same files: a WAV of spoken words for the bundled demo model (raw
 * 16 kHz audio in: STFT, mel, log, standardisation in the graph) and PNG pictures for small RGB
 * and grey models (uint8 pixels in: the area-averaged resize and luma in the graph), at the
 * default 320×240 and at an odd size whose resize weights are fractional.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { encode as encodePng } from 'fast-png';
import * as ort from 'onnxruntime-web';
import { beforeAll, describe, expect, test } from 'vitest';
import { convertToInt } from '../../core/engine/convert';
import { decodeImage, imageFeatures, type ImageSettings } from '../../core/features/image';
import type { LogMelSettings } from '../../core/features/logmel';
import { LivePath } from '../../core/live/live-path';
import { recordingSamples } from '../../core/live/replay';
import { decodeModel, type ModelContents } from '../../core/model-file/model-file';
import { networkToContents } from '../../core/model-file/network-io';
import { exportOnnx } from '../../core/onnx/export';
import { FrontEndError, onnxInput } from '../../core/onnx/front-end';
import type { ModelSpec } from '../../core/spec';
import { initTrainingBackend } from '../../core/train/backend/init-backend';
import { disposeNetwork } from '../../core/train/network';
import { train } from '../../core/train/trainer';
import { webcamFrame } from '../fixtures/first-project';
import { wordStream } from '../fixtures/word-stream';

const ROOT = join(import.meta.dirname, '..', '..');
const argmax = (p: ArrayLike<number>) => Array.from(p).indexOf(Math.max(...Array.from(p)));

beforeAll(async () => {
  await initTrainingBackend({ backend: 'wasm' });
  ort.env.wasm.numThreads = 1;
});

test('raw 16 kHz audio in: every live window of a WAV gets the live path’s probabilities', async () => {
  const contents = decodeModel(new Uint8Array(readFileSync(join(ROOT, 'models/demo-words.qnm'))));
  const features = contents.spec.features as unknown as LogMelSettings;
  const bytes = exportOnnx(convertToInt(contents), '', { input: 'raw', features });
  expect(onnxInput([49, 40, 1], { input: 'raw', features })).toMatchObject({
    name: 'audio',
    type: 'float32',
    shape: [1, 16000]
  });
  const session = await ort.InferenceSession.create(bytes);
  expect(session.inputNames).toEqual(['audio']);
  // The app reads the WAV file (any format) the way "test on a recording" does.
  const stream = wordStream(
    [
      { word: 'yes', at: 1.2 },
      { word: 'no', at: 3.1, voice: 'en-gb' },
      { word: 'yes', at: 5.0, voice: 'en-us+f3' }
    ],
    7
  );
  const { samples } = await recordingSamples(stream.wav, 'words.wav', 16000);
  const path = new LivePath(contents, { overlap: 0.75 });
  const steps = path.audio(samples);
  expect(steps.length).toBeGreaterThan(20);
  let worst = 0;
  const classes = new Set<number>();
  for (const step of steps) {
    // The window judged ends at step.time: its first sample is one clip before the last frame ends.
    const end = Math.round(step.time * 16000);
    const clip = samples.slice(end - (48 * 320 + 512), end - (48 * 320 + 512) + 16000);
    const out = await session.run({ audio: new ort.Tensor('float32', clip, [1, 16000]) });
    const p = out.probabilities.data as Float32Array;
    expect(argmax(p), `window ending ${step.time} s`).toBe(argmax(step.probabilities));
    p.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - step.probabilities[i]))));
    classes.add(argmax(p));
  }
  // Both words and the background were heard somewhere, so the agreement covers all classes.
  expect(classes.size).toBe(3);
  expect(worst).toBeLessThan(2e-3);
  await session.release();
}, 60_000);

/** A small picture model (box vs blue webcam frames) trained for a few epochs, as a model file holds it. */
async function pictureModel(channels: 1 | 3): Promise<ModelContents> {
  const features: ImageSettings = { kind: 'image', width: 16, height: 12, channels };
  const spec = {
    version: 1,
    name: `pictures-${channels}`,
    input: { shape: [12, 16, channels], kind: 'image' },
    features,
    quant: { weightBits: 4, weightScheme: 'linear', actBits: 4, inputBits: 8 },
    layers: [
      { type: 'conv', filters: 8, kernel: 3 },
      { type: 'batchnorm' },
      { type: 'relu' },
      { type: 'maxpool', size: 2 },
      { type: 'kwta', fraction: 0.5 },
      { type: 'gap' },
      { type: 'dense' }
    ],
    training: { optimizer: 'adam', learningRate: 0.01, l2: 0, batchSize: 16, epochs: 3 }
  } as unknown as ModelSpec;
  const count = 64;
  const per = 12 * 16 * channels;
  const x = new Float32Array(count * per);
  const y = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    y[i] = i % 2;
    const rgb = Float32Array.from(webcamFrame(i % 2 ? 'blue' : 'box', 64, 48, i), (v) => v / 255);
    x.set(imageFeatures({ width: 64, height: 48, rgb }, features), i * per);
  }
  const run = await train(
    spec,
    { x, y, count, shape: [12, 16, channels], classes: 2 },
    { seed: 3 }
  );
  const contents = networkToContents(run.network, spec, ['box', 'blue'], {}, '');
  disposeNetwork(run.network);
  return contents;
}

describe.each([
  ['RGB', 3 as const, 320, 240],
  ['grey', 1 as const, 97, 61]
])('uint8 RGB pixels in, %s model, %i×%i pictures', (_name, channels, width, height) => {
  test('the graph gives the live path’s probabilities on the same PNG', async () => {
    const contents = await pictureModel(channels);
    const features = contents.spec.features as unknown as ImageSettings;
    const bytes = exportOnnx(convertToInt(contents), '', { input: 'raw', features, width, height });
    const session = await ort.InferenceSession.create(bytes);
    expect(session.inputNames).toEqual(['pixels']);
    const path = new LivePath(contents);
    let worst = 0;
    const seen = new Set<number>();
    for (let i = 0; i < 12; i++) {
      const pixels = webcamFrame(i % 2 ? 'blue' : 'box', width, height, 100 + i);
      const png = encodePng({ width, height, data: pixels, channels: 3 });
      // The app's prediction: the PNG decoded as Quench decodes files, then the live path.
      const step = path.frame(decodeImage(png), i);
      const out = await session.run({
        pixels: new ort.Tensor('uint8', pixels, [1, height, width, 3])
      });
      const p = out.probabilities.data as Float32Array;
      expect(argmax(p), `picture ${i}`).toBe(argmax(step.probabilities));
      p.forEach((v, k) => (worst = Math.max(worst, Math.abs(v - step.probabilities[k]))));
      seen.add(argmax(p));
    }
    expect(seen.size).toBe(2);
    expect(worst).toBeLessThan(1e-3);
    await session.release();
  }, 60_000);
});

test('a raw export names what goes in, and refuses what it cannot build', () => {
  const features: ImageSettings = { kind: 'image', width: 16, height: 12, channels: 3 };
  expect(onnxInput([12, 16, 3], { input: 'raw', features, width: 640, height: 480 })).toEqual({
    name: 'pixels',
    type: 'uint8',
    shape: [1, 480, 640, 3],
    meaning: 'an RGB picture of 640×480 pixels, 0–255, rows top to bottom, no alpha'
  });
  expect(onnxInput([12, 16, 3], { features }).name).toBe('features');
  expect(() => onnxInput([12, 16, 3], { input: 'raw' })).toThrow(FrontEndError);
  expect(() =>
    onnxInput([12, 16, 3], { input: 'raw', features: { ...features, channels: 2 as 3 } })
  ).toThrow(/cannot put the front end in the ONNX model: features.channels must be 1 or 3/);
  expect(() => onnxInput([12, 16, 3], { input: 'raw', features, width: 0 })).toThrow(
    /width must be 1 to 4096 pixels, got 0/
  );
});
