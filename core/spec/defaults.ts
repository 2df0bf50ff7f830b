/**
 * What a new project trains when nobody changes a setting — one definition for the app's Train
 * form and `quench train --data DIR`, so the two train the same model from the same data.
 */
import { resolveTrainOptions } from '../train/train-options';
import { DEFAULT_PRESET, getPreset } from './presets';
import type { WeightScheme } from './model-spec';

/**
 * Weight bits a new run starts at: 4, where the presets' own quant blocks say 8 — Quench is for
 * low-precision weights, and 4-bit linear weights keep a first project's accuracy (the app's form
 * shows the number; `--weight-bits` changes it).
 */
export const NEW_RUN_WEIGHT_BITS = 4;

/** Every setting of a run, as the Train form and the CLI flags name them. */
export interface RunDefaults {
  preset: string;
  weightBits: number;
  weightScheme: WeightScheme;
  actBits: number;
  /** Fraction of channels k-WTA keeps; 1 = off. */
  kwta: number;
  epochs: number;
  learningRate: number;
  l2: number;
  optimizer: 'adam' | 'sgd';
  probabilistic: boolean;
  iterativeRounds: number;
  seed: number;
}

/**
 * The settings of a new run of a bundled preset: {@link NEW_RUN_WEIGHT_BITS}-bit weights, the
 * preset's weight scheme, activation bits and k-WTA fraction, its training block's epochs,
 * learning rate, L2 and optimizer (over Quench's fallbacks, as training resolves them), no
 * probabilistic rounding or k-means rounds, seed 1. Throws for an unknown preset.
 */
export function runDefaults(preset: string): RunDefaults {
  const spec = getPreset(preset);
  const kwta = spec.layers.find((l) => l.type === 'kwta') as { fraction?: number } | undefined;
  const o = resolveTrainOptions(spec, {});
  return {
    preset,
    weightBits: NEW_RUN_WEIGHT_BITS,
    weightScheme: spec.quant.weightScheme ?? 'linear',
    actBits: spec.quant.actBits ?? 8,
    kwta: kwta?.fraction ?? 1,
    epochs: o.epochs,
    learningRate: o.learningRate,
    l2: o.l2,
    optimizer: o.optimizer,
    probabilistic: o.probabilistic,
    iterativeRounds: o.iterativeRounds,
    seed: o.seed
  };
}

/** A new project's settings: its kind's preset ({@link DEFAULT_PRESET}) at {@link runDefaults}. */
export function newProjectDefaults(kind: keyof typeof DEFAULT_PRESET): RunDefaults {
  return runDefaults(DEFAULT_PRESET[kind]);
}
