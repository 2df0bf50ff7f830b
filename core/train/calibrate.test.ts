/**
 * Calibration of running statistics, x=[8,8,1] conv8-bn-relu(4-bit)-maxpool-kwta-dense: batch-norm
 * moving moments equal the population moments of the layer's input (computed by a reference
 * pass), activation ranges equal the mean of per-batch maxima (float ranges: the overall max),
 * and stale statistics that ruin the served loss are repaired.
 */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, expect, test } from 'vitest';
import { validateSpec, type ModelSpec } from '../spec';
import { initTrainingBackend } from './backend/init-backend';
import { calibrate } from './calibrate';
import type { Examples } from './dataset';
import { evaluate } from './evaluate';
import { forward, inputForward, layerForward } from './forward';
import { disposeNetwork, type Network } from './network';
import { train } from './trainer';
import { createRng } from '../util/rng';

function quadrants(count: number, seed: number): Examples {
  const rng = createRng(seed);
  const x = new Float32Array(count * 64);
  const y = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    y[i] = i % 4;
    for (let p = 0; p < 64; p++) x[i * 64 + p] = 0.2 * rng.normal();
    const [oy, ox] = [
      [0, 0],
      [0, 4],
      [4, 0],
      [4, 4]
    ][y[i]];
    for (let d = 0; d < 9; d++) x[i * 64 + (oy + Math.floor(d / 3)) * 8 + ox + (d % 3)] += 0.8;
  }
  return { x, y, count, shape: [8, 8, 1], classes: 4 };
}

function spec(actBits: number, fraction: number): ModelSpec {
  return validateSpec({
    version: 1,
    name: 'calib',
    input: { shape: [8, 8, 1], kind: 'image' },
    quant: { weightBits: 4, weightScheme: 'linear', actBits, inputBits: 8 },
    layers: [
      { type: 'conv', filters: 8, kernel: 3 },
      { type: 'batchnorm' },
      { type: 'relu' },
      { type: 'maxpool', size: 2 },
      { type: 'kwta', fraction },
      { type: 'dense' }
    ],
    training: { optimizer: 'adam', learningRate: 0.01, l2: 0, batchSize: 16, epochs: 4 }
  });
}

const data = quadrants(64, 1);

beforeAll(async () => {
  await initTrainingBackend({ backend: 'wasm' });
});

/** The input of layer `index` for all of `data`, in inference mode, [N, …]. */
function layerInput(net: Network, index: number): tf.Tensor {
  return tf.tidy(() => {
    let h = inputForward(net, tf.tensor4d(data.x, [data.count, 8, 8, 1]), false);
    for (const layer of net.model.layers.slice(0, index)) h = layerForward(net, layer, h, false);
    return h;
  });
}

test('batch norm gets the population moments of its input; ranges the mean of batch maxima', async () => {
  const run = await train(spec(4, 0.5), data, { seed: 2, epochs: 2 });
  const net = run.network;
  calibrate(net, data, { batchSize: 16 });
  const conv = layerInput(net, 1);
  const { mean, variance } = tf.moments(conv, [0, 1, 2]);
  const p = net.params.batchnorm1;
  expect(Array.from(p.movingMean!.dataSync())).toEqual(
    Array.from(mean.dataSync()).map((v) => expect.closeTo(v, 4))
  );
  expect(Array.from(p.movingVariance!.dataSync())).toEqual(
    Array.from(variance.dataSync()).map((v) => expect.closeTo(v, 4))
  );
  // relu2's range: the mean over the 4 batches of 16 of each batch's largest relu output.
  const relu = tf.relu(layerInput(net, 2));
  const values = relu.dataSync();
  let sum = 0;
  for (let b = 0; b < 4; b++) sum += Math.max(...values.subarray(b * 16 * 512, (b + 1) * 16 * 512));
  expect(net.stats.actMax.relu2).toBeCloseTo(sum / 4, 5);
  tf.dispose([conv, mean, variance, relu]);
  disposeNetwork(net);
});

test('float activations get the overall maximum (they were never clipped in training)', async () => {
  const run = await train(spec(32, 1), data, { seed: 2, epochs: 2 });
  const net = run.network;
  calibrate(net, data, { batchSize: 16 });
  const relu = tf.relu(layerInput(net, 2));
  expect(net.stats.actMax.relu2).toBeCloseTo(Math.max(...relu.dataSync()), 5);
  relu.dispose();
  disposeNetwork(net);
});

test('stale statistics are repaired: served loss returns to the training-mode loss', async () => {
  const run = await train(spec(4, 0.5), data, { seed: 3, epochs: 4 });
  const net = run.network;
  // What the last training steps computed: batch statistics on these examples.
  const trainMode = tf.tidy(() => {
    const x = tf.tensor4d(data.x, [data.count, 8, 8, 1]);
    const out = forward(net, x, true);
    for (const [, t] of out.updates) t.dispose();
    return tf.losses
      .softmaxCrossEntropy(tf.oneHot(tf.tensor1d(data.y, 'int32'), 4), out.logits)
      .dataSync()[0];
  });
  // Statistics that still remember the initial network, as EMAs do after a few dozen steps.
  const p = net.params.batchnorm1;
  tf.tidy(() => {
    p.movingMean!.assign(tf.zeros([8]));
    p.movingVariance!.assign(tf.ones([8]));
  });
  net.stats.actMax.relu2 *= 3;
  const stale = evaluate(net, data).loss;
  calibrate(net, data, { batchSize: 16 });
  const settled = evaluate(net, data).loss;
  disposeNetwork(net);
  expect(stale).toBeGreaterThan(trainMode + 0.2);
  expect(Math.abs(settled - trainMode)).toBeLessThan(0.1);
});

test('calibration leaves no tensors behind', async () => {
  const run = await train(spec(4, 0.5), data, { seed: 4, epochs: 1 });
  const before = tf.memory().numTensors;
  calibrate(run.network, data, { batchSize: 16, maxExamples: 40 });
  expect(tf.memory().numTensors).toBe(before);
  disposeNetwork(run.network);
});
