/**
 * Post-training requantization (`quench quantize`, the app's "what if" runs): the stored float
 * weights stay; the spec now quantizes them at another width and scheme wherever the model runs
 * (the fake-quantized network, and the integer engine converted here). No retraining.
 */
import { convertToInt } from '../engine/convert';
import { applyOverrides } from '../spec/overrides';
import type { WeightScheme } from '../spec/model-spec';
import type { ModelContents } from './model-file';

export interface Requantization {
  /** 1–8, or 32 for float weights. */
  weightBits: number;
  weightScheme: WeightScheme;
}

/**
 * `contents` with every layer's weights at `to`: a fresh integer network (throws ConvertError
 * when the engine can't serve it), the validation accuracy and the calibrated detection settings
 * dropped (they belonged to the old weights) and `quantizedFrom` recorded. `createdAt` is an ISO time stamp (core has no clock).
 */
export function requantizeContents(
  contents: ModelContents,
  to: Requantization,
  createdAt: string,
  from: string
): ModelContents {
  const spec = applyOverrides(contents.spec, to);
  const { int: _int, detection: _detection, ...rest } = contents;
  const next: ModelContents = {
    ...rest,
    spec,
    metrics: { ...rest.metrics, quantizedFrom: from, validationAccuracy: undefined },
    createdAt
  };
  next.int = convertToInt(next);
  return next;
}
