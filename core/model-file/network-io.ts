/**
 * Between a trained tfjs Network and the model file's contents: tensors named `<layer>/<field>`,
 * checked on the way back against the shapes the spec implies.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { ModelSpec } from '../spec/model-spec';
import { resolveSpec } from '../spec/resolve';
import { createNetwork, disposeNetwork, type LayerParams, type Network } from '../train/network';
import {
  ModelFileError,
  type ModelContents,
  type StoredTensor,
  type TrainingMetrics
} from './model-file';

const FIELDS = ['kernel', 'bias', 'gamma', 'beta', 'movingMean', 'movingVariance'] as const;

export function networkToContents(
  net: Network,
  spec: ModelSpec,
  labels: string[],
  metrics: TrainingMetrics,
  createdAt: string
): ModelContents {
  const tensors: StoredTensor[] = [];
  for (const layer of net.model.layers) {
    const p: LayerParams | undefined = net.params[layer.name];
    if (!p) continue;
    for (const field of FIELDS) {
      const v = p[field];
      if (!v) continue;
      tensors.push({
        name: `${layer.name}/${field}`,
        dtype: 'float32',
        shape: v.shape.slice(),
        data: (v.dataSync() as Float32Array).slice()
      });
    }
  }
  const dutyCycles: Record<string, number[]> = {};
  for (const [k, v] of Object.entries(net.stats.dutyCycles)) dutyCycles[k] = Array.from(v);
  return {
    spec,
    labels: labels.slice(),
    tensors,
    stats: { inputRange: net.stats.inputRange, actMax: { ...net.stats.actMax }, dutyCycles },
    metrics,
    createdAt
  };
}

/**
 * Assigns the stored tensors to `net`'s variables, layer by layer (`below`: only layers with a
 * smaller index). A variable whose tensor is missing, or not float32 of its shape, throws
 * `problem(name, found, needed shape)`.
 */
export function assignStoredTensors(
  net: Network,
  tensors: StoredTensor[],
  problem: (name: string, found: StoredTensor | undefined, needs: number[]) => Error,
  below = Infinity
): void {
  const byName = new Map(tensors.map((t) => [t.name, t]));
  for (const layer of net.model.layers) {
    if (layer.index >= below) break;
    const p = net.params[layer.name];
    if (!p) continue;
    for (const field of FIELDS) {
      const v = p[field];
      if (!v) continue;
      const name = `${layer.name}/${field}`;
      const t = byName.get(name);
      if (!t || t.dtype !== 'float32' || t.shape.join(',') !== v.shape.join(','))
        throw problem(name, t, v.shape);
      tf.tidy(() => v.assign(tf.tensor(t.data as Float32Array, v.shape)));
    }
  }
}

/** A live Network with the stored weights; every expected tensor must be present and fit. */
export function networkFromContents(contents: ModelContents): Network {
  const { spec, labels } = contents;
  if (contents.tensors.length === 0) {
    throw new ModelFileError(
      'this file holds only the integer network (a deployment export); training, quantizing and the float engine need the full model'
    );
  }
  const model = resolveSpec(spec, labels.length);
  const net = createNetwork(model, 0);
  try {
    assignStoredTensors(net, contents.tensors, (name, t, needs) =>
      t
        ? new ModelFileError(
            `tensor ${name} is ${t.dtype} [${t.shape}], the spec needs float32 [${needs}]`
          )
        : new ModelFileError(`tensor ${name} is missing`)
    );
    for (const [name, duty] of Object.entries(contents.stats.dutyCycles)) {
      const own = net.stats.dutyCycles[name];
      if (!own || own.length !== duty.length) {
        throw new ModelFileError(`duty cycles for ${name} do not match the spec`);
      }
      own.set(duty);
    }
    net.stats.actMax = { ...contents.stats.actMax };
    net.stats.inputRange = contents.stats.inputRange;
    return net;
  } catch (e) {
    disposeNetwork(net);
    throw e;
  }
}
