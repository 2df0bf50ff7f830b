/**
 * The integer-only model file: what Live runs and `quench export --format int` writes — the
 * packed low-precision weights and requantization constants, without the float training weights
 * the full model file keeps for "what if" runs and ONNX export. Its size is what low-precision
 * weights save (2-bit k-means: about a seventh of the full file of the same network).
 */
import { ConvertError, convertToInt } from '../../../core/engine/convert';
import { encodeModel, type ModelContents } from '../../../core/model-file/model-file';

/** The integer-only file of `contents` (its integer network, else converted now). */
export function intOnlyModel(contents: ModelContents): Uint8Array {
  return encodeModel(
    { ...contents, int: contents.int ?? convertToInt(contents) },
    { includeFloat: false }
  );
}

/** Bytes of {@link intOnlyModel}; undefined for a model the integer engine can't serve. */
export function deployedBytes(contents: ModelContents): number | undefined {
  try {
    return intOnlyModel(contents).length;
  } catch (e) {
    if (e instanceof ConvertError) return undefined;
    throw e;
  }
}
