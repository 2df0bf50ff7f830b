/**
 * ONNX export round trip on random networks: random layer stacks (conv strides and paddings,
 * pooling, k-WTA, gap or flatten), random weight widths and schemes, random weights and ranges.
 * Each is converted, exported, loaded by onnxruntime-web and run on a random input: the export
 * must succeed (or refuse with a clear error) and the runtime must give the engine's class.
 */
import * as ort from 'onnxruntime-web';
import { ConvertError, convertToInt } from '../../core/engine/convert';
import { runInt } from '../../core/engine/engine';
import { networkToContents } from '../../core/model-file/network-io';
import { ExportError, exportOnnx } from '../../core/onnx/export';
import type { LayerSpec, ModelSpec, WeightScheme } from '../../core/spec';
import { resolveSpec } from '../../core/spec';
import { createNetwork, disposeNetwork } from '../../core/train/network';
import type { Rng } from '../../core/util/rng';

function randomSpec(rng: Rng): ModelSpec {
  const side = 6 + rng.int(8);
  const channels = 1 + rng.int(3);
  const layers: LayerSpec[] = [];
  const blocks = 1 + rng.int(2);
  for (let b = 0; b < blocks; b++) {
    layers.push({
      type: 'conv',
      filters: 2 + rng.int(10),
      kernel: [1 + rng.int(3), 1 + rng.int(3)],
      stride: 1 + rng.int(2),
      padding: rng.next() < 0.5 ? 'same' : 'valid'
    });
    if (rng.next() < 0.7) layers.push({ type: 'batchnorm' });
    layers.push({ type: 'relu' });
    if (rng.next() < 0.4) layers.push({ type: 'maxpool', size: 2, padding: 'same' });
    if (rng.next() < 0.6) layers.push({ type: 'kwta', fraction: [0.25, 0.5, 0.75][rng.int(3)] });
  }
  if (rng.next() < 0.5) layers.push({ type: 'gap' });
  layers.push({ type: 'dense' });
  const schemes: WeightScheme[] = ['linear', 'exponential', 'kmeans'];
  return {
    version: 1,
    name: 'random',
    input: { shape: [side, side, channels], kind: 'image' },
    quant: {
      weightBits: 1 + rng.int(8),
      weightScheme: schemes[rng.int(3)],
      actBits: 2 + rng.int(7),
      inputBits: 8
    },
    layers
  };
}

/** One random network through convert → export → onnxruntime-web; throws on any disagreement. */
export async function onnxRoundTrip(rng: Rng): Promise<'agreed' | 'refused'> {
  let spec: ModelSpec;
  let model;
  try {
    spec = randomSpec(rng);
    const classes = 2 + rng.int(4);
    const resolved = resolveSpec(spec, classes);
    const net = createNetwork(resolved, rng.int(1e9));
    net.stats.inputRange = [-rng.next(), 0.5 + rng.next()];
    for (const l of resolved.layers)
      if (l.actBits !== undefined) net.stats.actMax[l.name] = 0.5 + 4 * rng.next();
    const contents = networkToContents(
      net,
      spec,
      Array.from({ length: classes }, (_, i) => `c${i}`),
      {},
      ''
    );
    disposeNetwork(net);
    model = convertToInt(contents);
  } catch (e) {
    // A random stack may be one the spec or the engine refuses, always by name.
    if (
      e instanceof ConvertError ||
      (e instanceof Error && /spec|layer|shape|kernel|size/i.test(e.message))
    )
      return 'refused';
    throw e;
  }
  let bytes: Uint8Array;
  try {
    bytes = exportOnnx(model);
  } catch (e) {
    if (e instanceof ExportError) return 'refused';
    throw e;
  }
  const session = await ort.InferenceSession.create(bytes);
  try {
    const [h, w, c] = model.input.shape;
    const x = Float32Array.from({ length: h * w * c }, () => 2 * rng.next() - 0.5);
    const out = await session.run({ features: new ort.Tensor('float32', x, [1, h, w, c]) });
    const logits = Array.from(out.logits.data as Float32Array);
    const ref = Array.from(runInt(model, x).logits);
    const a = logits.indexOf(Math.max(...logits));
    const b = ref.indexOf(Math.max(...ref));
    // Ties between logits (dead networks) may resolve either way; otherwise the class must match.
    if (a !== b && Math.abs(ref[a] - ref[b]) > 1e-4 * (1 + Math.abs(ref[b]))) {
      throw new Error(
        `ONNX class ${a} vs engine ${b} for ${JSON.stringify(spec.layers)} ${JSON.stringify(spec.quant)}`
      );
    }
    return 'agreed';
  } finally {
    await session.release();
  }
}
