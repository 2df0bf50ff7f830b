import * as tf from '@tensorflow/tfjs-core';
import type { ResolvedLayer, ResolvedModel } from '../spec/resolve';
import { createRng, type Rng } from '../util/rng';

/** Trainable tensors of one layer; which ones exist depends on the layer type. */
export interface LayerParams {
  /** conv: [kh, kw, inC, outC]; dense: [in, out]. */
  kernel?: tf.Variable;
  /** [outC]; absent when a batch norm follows (its beta makes a bias redundant). */
  bias?: tf.Variable;
  /** batchnorm: [C] each. The moving statistics are not trainable. */
  gamma?: tf.Variable;
  beta?: tf.Variable;
  movingMean?: tf.Variable;
  movingVariance?: tf.Variable;
}

/** Running state that is not a gradient-trained tensor: quantizer ranges and k-WTA duty cycles. */
export interface NetworkStats {
  /** EMA of the model input's [min, max], for the asymmetric input quantizer. */
  inputRange?: [number, number];
  /** EMA of the max of each quantized activation (relu, avgpool, gap), by layer name. */
  actMax: Record<string, number>;
  /** Fraction of locations each channel won, by k-WTA layer name; [C]. */
  dutyCycles: Record<string, Float32Array>;
}

/** A trainable network: the resolved spec, its tensors by layer name, and its running stats. */
export interface Network {
  model: ResolvedModel;
  params: Record<string, LayerParams>;
  stats: NetworkStats;
  /**
   * When set, weights pass through unquantized (the float phases of iterative quantization);
   * activations are still quantized.
   */
  floatWeights?: boolean;
  /**
   * Layers with an index below this are frozen (fine-tuning from a base): training computes them
   * in inference mode with their stored statistics, and neither their weights nor their running
   * statistics change. 0 or absent: every layer trains.
   */
  frozenBelow?: number;
  /**
   * When set, the network's input is the activation entering this layer (features cached from
   * the frozen layers below it, fine-tune.ts), shaped [N, 1, 1, C] or as that layer's input:
   * forward passes, calibration and evaluation start here and skip the input quantizer.
   */
  startLayer?: number;
}

/** Whether `index` is a layer that training may change. */
export function isTrainedLayer(net: Network, index: number): boolean {
  return index >= (net.frozenBelow ?? 0);
}

let networkCounter = 0;

function hasBias(model: ResolvedModel, layer: ResolvedLayer): boolean {
  return model.layers[layer.index + 1]?.spec.type !== 'batchnorm';
}

/** He-normal initial values from the seeded generator, so a seed fixes the start on any backend. */
function heNormal(shape: number[], rng: Rng): tf.Tensor {
  const fanIn = shape.slice(0, -1).reduce((a, b) => a * b, 1);
  const std = Math.sqrt(2 / fanIn);
  const size = shape.reduce((a, b) => a * b, 1);
  const values = new Float32Array(size);
  for (let i = 0; i < size; i++) values[i] = rng.normal() * std;
  return tf.tensor(values, shape);
}

/**
 * Creates the variables for every layer of `model`. Names carry a per-process counter because
 * tfjs keeps one global variable registry and several networks may be alive at once.
 */
export function createNetwork(model: ResolvedModel, seed: number): Network {
  const rng = createRng(seed);
  const prefix = `quench${networkCounter++}`;
  const params: Record<string, LayerParams> = {};
  const stats: NetworkStats = { actMax: {}, dutyCycles: {} };
  const variable = (t: tf.Tensor, name: string, trainable = true): tf.Variable => {
    const v = tf.variable(t, trainable, `${prefix}/${name}`);
    t.dispose();
    return v;
  };
  for (const layer of model.layers) {
    const { name } = layer;
    const channels = layer.outShape[layer.outShape.length - 1];
    if (layer.kernelShape) {
      params[name] = { kernel: variable(heNormal(layer.kernelShape, rng), `${name}/kernel`) };
      if (hasBias(model, layer)) params[name].bias = variable(tf.zeros([channels]), `${name}/bias`);
    } else if (layer.spec.type === 'batchnorm') {
      params[name] = {
        gamma: variable(tf.ones([channels]), `${name}/gamma`),
        beta: variable(tf.zeros([channels]), `${name}/beta`),
        movingMean: variable(tf.zeros([channels]), `${name}/moving_mean`, false),
        movingVariance: variable(tf.ones([channels]), `${name}/moving_variance`, false)
      };
    } else if (layer.spec.type === 'kwta') {
      stats.dutyCycles[name] = new Float32Array(channels);
    }
  }
  return { model, params, stats };
}

/** Every variable of the network, trainable or not, in a stable order. */
export function allVariables(net: Network): tf.Variable[] {
  const out: tf.Variable[] = [];
  for (const layer of net.model.layers) {
    const p = net.params[layer.name];
    if (!p) continue;
    for (const v of [p.kernel, p.bias, p.gamma, p.beta, p.movingMean, p.movingVariance]) {
      if (v) out.push(v);
    }
  }
  return out;
}

/** Releases every tensor the network holds. */
export function disposeNetwork(net: Network): void {
  for (const v of allVariables(net)) v.dispose();
  net.params = {};
}

/** A copy of all weights and stats in plain arrays: for early stopping and for saving. */
export interface NetworkSnapshot {
  values: Float32Array[];
  stats: NetworkStats;
}

export function snapshotNetwork(net: Network): NetworkSnapshot {
  return {
    values: allVariables(net)
      .map((v) => v.dataSync() as Float32Array)
      .map((a) => a.slice()),
    stats: cloneStats(net.stats)
  };
}

export function restoreNetwork(net: Network, snap: NetworkSnapshot): void {
  allVariables(net).forEach((v, i) => {
    tf.tidy(() => v.assign(tf.tensor(snap.values[i], v.shape)));
  });
  net.stats = cloneStats(snap.stats);
}

function cloneStats(s: NetworkStats): NetworkStats {
  const dutyCycles: Record<string, Float32Array> = {};
  for (const [k, v] of Object.entries(s.dutyCycles)) dutyCycles[k] = v.slice();
  return {
    inputRange: s.inputRange ? [s.inputRange[0], s.inputRange[1]] : undefined,
    actMax: { ...s.actMax },
    dutyCycles
  };
}
