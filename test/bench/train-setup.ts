/**
 * The training-speed benches' shared setup: a preset under one of four settings (k-WTA and fake
 * quantization each on or off), a network and optimizer from a fixed seed, and one synthetic batch
 * that every step reuses.
 */
import { applyOverrides, getPreset, resolveSpec, type ModelSpec } from '../../core/spec';
import { FLOAT_BITS } from '../../core/spec/model-spec';
import { createNetwork, disposeNetwork } from '../../core/train/network';
import { makeStepContext, trainStep } from '../../core/train/step';
import { resolveTrainOptions } from '../../core/train/train-options';
import { createRng } from '../../core/util/rng';

/** `kwta`: the preset's k-WTA layers as written; `quant`: its 8-bit weights, activations, input. */
export const SETTINGS = ['float', 'kwta', 'quant', 'kwta+quant'] as const;
export type Setting = (typeof SETTINGS)[number];

export const CLASSES = 10;

/** The preset's spec under a setting; 'kwta+quant' is the preset exactly as shipped. */
export function specFor(preset: string, setting: Setting): ModelSpec {
  const kwta = setting === 'kwta' || setting === 'kwta+quant';
  const quant = setting === 'quant' || setting === 'kwta+quant';
  const out = applyOverrides(getPreset(preset), {
    ...(kwta ? {} : { kwta: 1 }),
    ...(quant ? {} : { weightBits: FLOAT_BITS, actBits: FLOAT_BITS })
  });
  if (!quant) out.quant.inputBits = FLOAT_BITS;
  return out;
}

export interface StepRunner {
  batchSize: number;
  step(): [number, number];
  dispose(): void;
}

/** A network for `preset` under `setting` and a step function on one fixed random batch. */
export function stepRunner(preset: string, setting: Setting, seed = 3): StepRunner {
  const spec = specFor(preset, setting);
  const opts = resolveTrainOptions(spec, { seed });
  const net = createNetwork(resolveSpec(spec, CLASSES), seed);
  const ctx = makeStepContext(net, opts, createRng(seed));
  const [h, w, c] = spec.input.shape;
  const rng = createRng(seed + 2);
  const xs = Float32Array.from({ length: opts.batchSize * h * w * c }, () => rng.next());
  const ys = Int32Array.from({ length: opts.batchSize }, () => rng.int(CLASSES));
  return {
    batchSize: opts.batchSize,
    step: () => trainStep(ctx, xs, ys),
    dispose: () => {
      ctx.optimizer.dispose();
      disposeNetwork(net);
    }
  };
}
