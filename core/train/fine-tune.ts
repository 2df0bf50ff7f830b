/**
 * Starting a run from a base: a model trained elsewhere on a large corpus (`npm run make-base`)
 * whose layers a project's network takes over before training on the project's own clips — the
 * server/device scheme of seed 002, on one machine. The base's head (its last weight layer, sized
 * for the base's classes) is replaced by a fresh one for the project's classes.
 *
 * Which layers then train:
 * - `head`: only the new last weight layer; every layer below runs as the base serves it (stored
 *   batch-norm statistics, quantizer ranges, k-WTA duty cycles), so the features are exactly the
 *   base's. The cheapest, and the least able to overfit a handful of takes.
 * - `top`: the last convolution block as well (from the last conv layer up).
 * - `all`: every layer, starting from the base's values.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { ModelContents } from '../model-file/model-file';
import { assignStoredTensors } from '../model-file/network-io';
import type { Examples } from './dataset';
import { inputForward, layerForward } from './forward';
import type { Network } from './network';

export type TrainedLayers = 'head' | 'top' | 'all';
export const TRAINED_LAYERS: readonly TrainedLayers[] = ['head', 'top', 'all'];

export interface BaseStart {
  /** The base model (float tensors included: a deployment-only file can't be fine-tuned). */
  base: ModelContents;
  train: TrainedLayers;
}

/** Thrown when a base can't start a network: layers or shapes differ, or no float tensors. */
export class BaseMismatchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BaseMismatchError';
  }
}

/**
 * Index of the first layer that trains for `train` among a spec's `layers` (in order): 0 for
 * `all`, the last weight layer (conv or dense) for `head`, the last conv layer for `top` (the
 * head when there is none). Throws BaseMismatchError when there is no weight layer.
 */
export function firstTrainedIndex(
  layers: readonly { type: string }[],
  train: TrainedLayers
): number {
  const weighted = layers.flatMap((l, i) => (l.type === 'conv' || l.type === 'dense' ? [i] : []));
  const head = weighted.at(-1);
  if (head === undefined) throw new BaseMismatchError('the network has no weight layer');
  if (train === 'all') return 0;
  if (train === 'head') return head;
  const lastConv = layers.flatMap((l, i) => (l.type === 'conv' ? [i] : [])).at(-1);
  return lastConv ?? head;
}

/** Index of the first layer that trains for `train` in `net`'s resolved model. */
export function firstTrainedLayer(net: Network, train: TrainedLayers): number {
  return firstTrainedIndex(
    net.model.layers.map((l) => l.spec),
    train
  );
}

/**
 * Copies the base's tensors and running statistics into `net` (freshly created for the project's
 * classes) for every layer below the head, and freezes the layers below the first trained one.
 * The head keeps its fresh initial values. Throws BaseMismatchError when a layer below the head
 * is missing from the base or has another shape.
 */
export function startFromBase(net: Network, start: BaseStart): void {
  const { base } = start;
  if (base.tensors.length === 0) {
    throw new BaseMismatchError(
      'the base holds only the integer network; it needs its float weights'
    );
  }
  const headIndex = firstTrainedLayer(net, 'head');
  assignStoredTensors(
    net,
    base.tensors,
    (name, t, needs) =>
      new BaseMismatchError(
        `the base's ${name} is ${t ? `${t.dtype} [${t.shape}]` : 'missing'}, the network needs float32 [${needs}]`
      ),
    headIndex
  );
  const { stats } = base;
  net.stats.inputRange = stats.inputRange ? [stats.inputRange[0], stats.inputRange[1]] : undefined;
  for (const layer of net.model.layers) {
    if (layer.index >= headIndex) break;
    const max = stats.actMax[layer.name];
    if (max !== undefined) net.stats.actMax[layer.name] = max;
    const duty = stats.dutyCycles[layer.name];
    const own = net.stats.dutyCycles[layer.name];
    if (duty && own && duty.length === own.length) own.set(duty);
  }
  net.frozenBelow = firstTrainedLayer(net, start.train);
}

/**
 * The activations entering the first trained layer for every example of `d`, computed once in
 * inference mode through the frozen layers (exactly what a training forward pass computes for
 * them, since frozen layers use only stored statistics). Shapes: in [count, H, W, C] → out
 * [count, 1, 1, F] (a flattened activation per example). Training only the head on these costs a
 * dense layer per step instead of the whole network.
 */
export function frozenFeatures(net: Network, d: Examples, batchSize = 256): Examples {
  const start = net.frozenBelow ?? 0;
  const per = d.shape[0] * d.shape[1] * d.shape[2];
  const width = net.model.layers[start].inShape.reduce((a, b) => a * b, 1);
  const x = new Float32Array(d.count * width);
  for (let at = 0; at < d.count; at += batchSize) {
    const n = Math.min(batchSize, d.count - at);
    const out = tf.tidy(() => {
      let h = inputForward(
        net,
        tf.tensor4d(d.x.subarray(at * per, (at + n) * per), [n, ...d.shape]),
        false
      );
      for (const layer of net.model.layers) {
        if (layer.index >= start) break;
        h = layerForward(net, layer, h, false);
      }
      return h;
    });
    x.set(out.dataSync() as Float32Array, at * width);
    out.dispose();
  }
  return { x, y: d.y, count: d.count, shape: [1, 1, width], classes: d.classes };
}
