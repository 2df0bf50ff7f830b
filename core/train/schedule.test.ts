import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, expect, test } from 'vitest';
import { getPreset } from '../spec';
import { initTrainingBackend } from './backend/init-backend';
import { makeOptimizer, scheduledRate, setLearningRate } from './step';
import { resolveTrainOptions } from './train-options';

beforeAll(async () => {
  await initTrainingBackend({ backend: 'cpu' });
});

test('cosine schedule runs from the learning rate down to 5 % of it; constant stays', () => {
  const opts = resolveTrainOptions(getPreset('digits'), { learningRate: 0.01 });
  expect(opts.schedule).toBe('cosine');
  expect(scheduledRate(opts, 0)).toBeCloseTo(0.01, 12);
  expect(scheduledRate(opts, 0.5)).toBeCloseTo(0.01 * (0.05 + 0.95 * 0.5), 12);
  expect(scheduledRate(opts, 1)).toBeCloseTo(0.0005, 12);
  const constant = resolveTrainOptions(getPreset('digits'), { schedule: 'constant' });
  expect(scheduledRate(constant, 0.7)).toBe(constant.learningRate);
});

test.each(['adam', 'sgd'] as const)('setLearningRate changes the step %s takes', (optimizer) => {
  // One step on f(v) = v from v = 0 moves v by the learning rate (Adam's first step is ±lr too).
  const stepAt = (rate: number): number => {
    const opt = makeOptimizer(resolveTrainOptions(getPreset('digits'), { optimizer }));
    setLearningRate(opt, rate);
    const v = tf.variable(tf.scalar(0));
    const { value, grads } = tf.variableGrads(() => v.sum() as tf.Scalar, [v]);
    opt.applyGradients(grads);
    tf.dispose([value, ...Object.values(grads)]);
    const moved = Math.abs(v.dataSync()[0]);
    v.dispose();
    opt.dispose();
    return moved;
  };
  expect(stepAt(0.5)).toBeCloseTo(0.5, 5);
  expect(stepAt(0.01)).toBeCloseTo(0.01, 5);
});
