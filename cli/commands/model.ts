/** quench quantize and quench export. */
import { basename, resolve } from 'node:path';
import { ConvertError } from '../../core/engine/convert';
import { encodeModel } from '../../core/model-file/model-file';
import { requantizeContents } from '../../core/model-file/requantize';
import { featureSettings } from '../../core/data/pipeline';
import { exportOnnx, type OnnxExportOptions } from '../../core/onnx/export';
import { onnxInput } from '../../core/onnx/front-end';
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
  if (contents.tensors.length === 0) {
    throw new InputError(
      `${modelPath}: an integer-only export (quench export --format int) has no trained weights to re-quantize; use the model file training wrote`
    );
  }
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
  else {
    io.out(`wrote ${out}: ${weightBits}-bit ${weightScheme} weights (no retraining)`);
    io.err(
      `without retraining accuracy can drop, most at 1–3 bits: check it with \`quench eval --model ${out} --data DIR\`, or train at this width (quench train --weight-bits ${weightBits} --weight-scheme ${weightScheme})`
    );
  }
  return 0;
}

/** --size WxH: the picture size a raw ONNX export takes. */
function sizeFlag(v: Values): { width: number; height: number } | undefined {
  if (v.size === undefined) return undefined;
  const m = /^(\d{1,4})x(\d{1,4})$/i.exec(v.size.trim());
  if (!m)
    throw new UsageError(`--size must be WIDTHxHEIGHT in pixels, got ${JSON.stringify(v.size)}`);
  return { width: Number(m[1]), height: Number(m[2]) };
}

export async function cmdExport(v: Values, io: Io): Promise<number> {
  const modelPath = resolve(required(v, 'model'));
  const out = resolve(required(v, 'out'));
  const format = choiceFlag(v, 'format', ['onnx', 'int'] as const) ?? 'onnx';
  const input = choiceFlag(v, 'input', ['features', 'raw'] as const) ?? 'features';
  const size = sizeFlag(v);
  if (format !== 'onnx' && (v.input !== undefined || size))
    throw new UsageError('--input and --size are for --format onnx');
  const contents = await loadModel(modelPath);
  const model = intModelOf(contents, modelPath);
  // The front end needs the model's feature settings; a features-only export only names them.
  const features =
    input === 'raw' || contents.spec.features ? featureSettings(contents.spec) : undefined;
  if (size && (input !== 'raw' || features?.kind !== 'image'))
    throw new UsageError('--size is for --input raw on a picture model');
  const options: OnnxExportOptions = { input, features, ...size };
  const bytes =
    format === 'onnx'
      ? exportOnnx(
          model,
          `Quench ${contents.spec.name}; classes: ${contents.labels.join(', ')}`,
          options
        )
      : encodeModel({ ...contents, int: model }, { includeFloat: false });
  await writeFileAtomic(out, bytes);
  const described = format === 'onnx' ? onnxInput(model.input.shape, options) : undefined;
  if (v.json)
    io.out(
      JSON.stringify({
        out,
        format,
        bytes: bytes.length,
        labels: contents.labels,
        ...(described && { input: described })
      })
    );
  else if (described) {
    io.out(
      `wrote ${out} (${bytes.length} bytes): input "${described.name}" ${described.type} [${described.shape.join(', ')}] (${described.meaning}); outputs "logits", "probabilities" and "codes"`
    );
  } else
    io.out(
      `wrote ${out} (${bytes.length} bytes): the integer network only, packed at its bit widths`
    );
  return 0;
}
