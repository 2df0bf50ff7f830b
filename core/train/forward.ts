import * as tf from '@tensorflow/tfjs-core';
import { fakeQuantActivation, fakeQuantInput, fakeQuantWeights } from '../quant/fake-quant';
import { updateEma } from '../quant/activation';
import { boostFactors, updateDutyCycles } from '../sparsify/boost';
import { kwta, kwtaWithCounts } from '../sparsify/k-wta';
import { FLOAT_BITS } from '../spec/model-spec';
import type { ResolvedLayer } from '../spec/resolve';
import { isTrainedLayer, type Network } from './network';
import { conv2d } from './backend/conv2d';
import { batchNormTraining } from './batch-norm';

/** How training-mode forward passes move the running statistics. */
export interface TrainStatsOptions {
  /** EMA momentum for quantizer ranges (default 0.99). */
  rangeMomentum: number;
  /** EMA momentum for k-WTA duty cycles (default 0.99). */
  dutyMomentum: number;
}

export interface ForwardResult {
  /** [N, classes], float logits. */
  logits: tf.Tensor2D;
  /** Batch-norm moving-statistic updates to apply after the gradient step (kept tensors). */
  updates: Array<[tf.Variable, tf.Tensor]>;
}

const DEFAULT_STATS: TrainStatsOptions = { rangeMomentum: 0.99, dutyMomentum: 0.99 };

function scalarOf(t: tf.Tensor): number {
  return t.dataSync()[0];
}

/**
 * Runs the network on `x` ([N, H, W, C] float32) with fake quantization and k-WTA exactly as the
 * spec says. In training mode batch norm uses the batch's moments and the quantizer ranges and
 * duty cycles follow the batch (EMA); in inference mode everything uses the stored statistics.
 * Call inside `tf.tidy` (or `tf.variableGrads`); the returned updates are kept tensors that the
 * caller applies and disposes with {@link applyUpdates}.
 */
export function forward(
  net: Network,
  x: tf.Tensor4D,
  training: boolean,
  statsOptions: TrainStatsOptions = DEFAULT_STATS
): ForwardResult {
  const updates: Array<[tf.Variable, tf.Tensor]> = [];
  // Frozen layers (and a frozen input quantizer) run as served, on their stored statistics.
  const start = net.startLayer ?? 0;
  let h = start > 0 ? x : inputForward(net, x, training && isTrainedLayer(net, 0), statsOptions);
  for (const layer of net.model.layers) {
    if (layer.index < start) continue;
    const trained = training && isTrainedLayer(net, layer.index);
    h = layerForward(net, layer, h, trained, statsOptions, updates);
  }
  return { logits: h as tf.Tensor2D, updates };
}

/**
 * The model input after its quantizer ([N, H, W, C] float32; unchanged for float input). In
 * training mode, or before any range is known, the range follows the batch (EMA).
 */
export function inputForward(
  net: Network,
  x: tf.Tensor,
  training: boolean,
  statsOptions: TrainStatsOptions = DEFAULT_STATS
): tf.Tensor {
  const { stats } = net;
  if (net.model.inputBits === FLOAT_BITS) return x;
  if (training || !stats.inputRange) {
    const lo = scalarOf(tf.min(x));
    const hi = scalarOf(tf.max(x));
    const prev = stats.inputRange;
    stats.inputRange = [
      updateEma(prev?.[0], lo, statsOptions.rangeMomentum),
      updateEma(prev?.[1], hi, statsOptions.rangeMomentum)
    ];
  }
  return fakeQuantInput(x, net.model.inputBits, stats.inputRange[0], stats.inputRange[1]);
}

/**
 * The value a quantized-activation layer (relu, avgpool, gap) computes before its quantizer; the
 * input unchanged for every other layer type. Shapes as the layer's output.
 */
export function activationValue(layer: ResolvedLayer, h: tf.Tensor): tf.Tensor {
  const spec = layer.spec;
  switch (spec.type) {
    case 'relu':
      return tf.relu(h);
    case 'avgpool':
      return tf.avgPool(
        h as tf.Tensor4D,
        spec.size,
        spec.stride ?? spec.size,
        spec.padding ?? 'valid'
      );
    case 'gap':
      return tf.mean(h, [1, 2]);
    default:
      return h;
  }
}

/** Whether a layer quantizes its output with a recorded range (relu, avgpool, gap). */
export function hasActivationRange(layer: ResolvedLayer): boolean {
  const t = layer.spec.type;
  return t === 'relu' || t === 'avgpool' || t === 'gap';
}

function quantizeActivation(
  net: Network,
  layer: ResolvedLayer,
  h: tf.Tensor,
  training: boolean,
  momentum: number
): tf.Tensor {
  const bits = layer.actBits ?? FLOAT_BITS;
  if (bits === FLOAT_BITS) return h;
  const known = net.stats.actMax[layer.name];
  if (training || known === undefined) {
    net.stats.actMax[layer.name] = updateEma(known, scalarOf(tf.max(h)), momentum);
  }
  return fakeQuantActivation(h, bits, net.stats.actMax[layer.name]);
}

/**
 * One layer of {@link forward}. In inference mode (`training` false) it reads only stored
 * statistics, which is how the calibration pass steps through the network layer by layer.
 */
export function layerForward(
  net: Network,
  layer: ResolvedLayer,
  h: tf.Tensor,
  training: boolean,
  opts: TrainStatsOptions = DEFAULT_STATS,
  updates: Array<[tf.Variable, tf.Tensor]> = []
): tf.Tensor {
  const spec = layer.spec;
  const p = net.params[layer.name];
  switch (spec.type) {
    case 'conv':
    case 'dense': {
      const bits = layer.weightBits ?? FLOAT_BITS;
      const kernel = p.kernel!;
      const w =
        bits === FLOAT_BITS || net.floatWeights
          ? kernel
          : fakeQuantWeights(kernel, { bits, scheme: layer.weightScheme! });
      let y =
        spec.type === 'conv'
          ? conv2d(h as tf.Tensor4D, w as tf.Tensor4D, spec.stride ?? 1, spec.padding ?? 'same')
          : tf.matMul(tf.reshape(h, [h.shape[0], -1]) as tf.Tensor2D, w as tf.Tensor2D);
      if (p.bias) y = tf.add(y, p.bias);
      return y;
    }
    case 'batchnorm': {
      const eps = spec.epsilon ?? 1e-3;
      if (!training) {
        return tf.batchNorm(h, p.movingMean!, p.movingVariance!, p.beta!, p.gamma!, eps);
      }
      const { y, mean, variance } = batchNormTraining(h, p.gamma!, p.beta!, eps);
      const m = spec.momentum ?? 0.9;
      const blend = (v: tf.Variable, batch: tf.Tensor): void => {
        updates.push([v, tf.keep(tf.add(tf.mul(v, m), tf.mul(batch, 1 - m)))]);
      };
      blend(p.movingMean!, mean);
      blend(p.movingVariance!, variance);
      return y;
    }
    case 'relu':
    case 'avgpool':
    case 'gap':
      return quantizeActivation(
        net,
        layer,
        activationValue(layer, h),
        training,
        opts.rangeMomentum
      );
    case 'maxpool':
      return tf.maxPool(
        h as tf.Tensor4D,
        spec.size,
        spec.stride ?? spec.size,
        spec.padding ?? 'valid'
      );
    case 'kwta': {
      if (spec.fraction >= 1) return h;
      const duty = net.stats.dutyCycles[layer.name];
      const strength = spec.boostStrength ?? 0;
      const boost =
        strength > 0 ? tf.tensor1d(boostFactors(duty, spec.fraction, strength)) : undefined;
      if (!training) return kwta(h, spec.fraction, boost);
      const { output, counts } = kwtaWithCounts(h, spec.fraction, boost);
      const locations = h.size / h.shape[h.rank - 1];
      updateDutyCycles(duty, counts.dataSync(), locations, opts.dutyMomentum);
      return output;
    }
    default:
      throw new Error(`layer ${layer.name}: unknown type`);
  }
}

/** Writes the batch-norm moving statistics collected by a training forward pass. */
export function applyUpdates(updates: Array<[tf.Variable, tf.Tensor]>): void {
  for (const [v, value] of updates) {
    v.assign(value);
    value.dispose();
  }
}
