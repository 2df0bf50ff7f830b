/** quench quantize and quench export. */
import { basename, resolve } from 'node:path';
import { ConvertError } from '../../core/engine/convert';
import { encodeModel } from '../../core/model-file/model-file';
import { requantizeContents } from '../../core/model-file/requantize';
import { exportOnnx } from '../../core/onnx/export';
import { writeFileAtomic } from '../../electron/main/services/atomic-write';
import {
  bitsFlag,
  choiceFlag,
  InputError,
  intModelOf,
  loadModel,
  required,
  schemeFlag,
  UsageError,
  type Io,
  type Values
} from '../common';

export async function cmdQuantize(v: Values, io: Io): Promise<number> {
  const modelPath = resolve(required(v, 'model'));
  const out = resolve(required(v, 'out'));
  const weightBits = bitsFlag(v, 'weight-bits');
  const weightScheme = schemeFlag(v);
  if (weightBits === undefined) throw new UsageError('--weight-bits is required');
  if (weightScheme === undefined) throw new UsageError('--weight-scheme is required');
  const contents = await loadModel(modelPath);
  let next;
  try {
    next = requantizeContents(
      contents,
      { weightBits, weightScheme },
      new Date().toISOString(),
      basename(modelPath)
    );
  } catch (e) {
    if (e instanceof ConvertError) {
      throw new InputError(`${modelPath}: ${e.message} (evaluate it with --engine float)`);
    }
    throw e;
  }
  const bytes = encodeModel(next);
  await writeFileAtomic(out, bytes);
  if (v.json) io.out(JSON.stringify({ model: out, weightBits, weightScheme, bytes: bytes.length }));
  else io.out(`wrote ${out}: ${weightBits}-bit ${weightScheme} weights (no retraining)`);
  return 0;
}

export async function cmdExport(v: Values, io: Io): Promise<number> {
  const modelPath = resolve(required(v, 'model'));
  const out = resolve(required(v, 'out'));
  const format = choiceFlag(v, 'format', ['onnx', 'int'] as const) ?? 'onnx';
  const contents = await loadModel(modelPath);
  const model = intModelOf(contents, modelPath);
  const bytes =
    format === 'onnx'
      ? exportOnnx(model, `Quench ${contents.spec.name}; classes: ${contents.labels.join(', ')}`)
      : encodeModel({ ...contents, int: model }, { includeFloat: false });
  await writeFileAtomic(out, bytes);
  if (v.json) io.out(JSON.stringify({ out, format, bytes: bytes.length, labels: contents.labels }));
  else if (format === 'onnx') {
    io.out(
      `wrote ${out} (${bytes.length} bytes): input "features" [1, ${contents.spec.input.shape.join(', ')}], outputs "logits" and "codes"`
    );
  } else
    io.out(
      `wrote ${out} (${bytes.length} bytes): the integer network only, packed at its bit widths`
    );
  return 0;
}
