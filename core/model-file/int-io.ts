/**
 * The integer model inside the model file: op descriptions in the header, arrays as tensors
 * named `int/<op>/<field>`, weight indices packed at their bit width (1, 2, 4, 8 or 16 bits; 3-bit
 * indices take 4 bits, 5–7-bit ones a byte, 9–16-bit ones two bytes, little-endian). Reading it back checks every op, shape and array
 * length against the others before anything runs.
 */
import type {
  IntAvgPool,
  IntConv,
  IntDense,
  IntKwta,
  IntMaxPool,
  IntModel,
  IntOp,
  Requant,
  WeightStore
} from '../engine/int-model';
import { ModelFileError } from './errors';
import type { StoredTensor } from './model-file';

/** Storage width for b-bit indices: 1, 2, 4, 8 or 16 bits. */
export function packedWidth(bits: number): number {
  return bits <= 1 ? 1 : bits <= 2 ? 2 : bits <= 4 ? 4 : bits <= 8 ? 8 : 16;
}

/**
 * Packs small unsigned integers `width` bits each, little-end first within a byte; width 16
 * writes each value as two bytes, low byte first.
 */
export function packBits(values: Uint8Array | Uint16Array, width: number): Uint8Array {
  if (width === 16) {
    const out = new Uint8Array(values.length * 2);
    values.forEach((v, i) => ((out[2 * i] = v & 255), (out[2 * i + 1] = v >> 8)));
    return out;
  }
  const perByte = 8 / width;
  const out = new Uint8Array(Math.ceil(values.length / perByte));
  for (let i = 0; i < values.length; i++) {
    out[Math.floor(i / perByte)] |= values[i] << ((i % perByte) * width);
  }
  return out;
}

export function unpackBits(
  bytes: Uint8Array,
  width: number,
  count: number
): Uint8Array | Uint16Array {
  if (width === 16) {
    if (bytes.length !== 2 * count)
      throw new ModelFileError(`packed indices: ${bytes.length} bytes for ${count} 16-bit values`);
    return Uint16Array.from({ length: count }, (_, i) => bytes[2 * i] | (bytes[2 * i + 1] << 8));
  }
  const perByte = 8 / width;
  if (bytes.length !== Math.ceil(count / perByte)) {
    throw new ModelFileError(
      `packed indices: ${bytes.length} bytes for ${count} values of ${width} bits`
    );
  }
  const mask = (1 << width) - 1;
  const out = new Uint8Array(count);
  for (let i = 0; i < count; i++)
    out[i] = (bytes[Math.floor(i / perByte)] >> ((i % perByte) * width)) & mask;
  return out;
}

type Meta = Record<string, unknown>;

/** Header description and tensors of an integer model. */
export function intModelToStored(model: IntModel): { meta: Meta; tensors: StoredTensor[] } {
  const tensors: StoredTensor[] = [];
  const put = (
    op: string,
    field: string,
    data: StoredTensor['data'],
    dtype: StoredTensor['dtype']
  ): void => {
    tensors.push({ name: `int/${op}/${field}`, dtype, shape: [data.length], data });
  };
  const weights = (op: IntConv | IntDense): Meta => {
    const w = op.weights;
    put(op.name, 'indices', packBits(w.indices, packedWidth(w.bits)), 'uint8');
    put(op.name, 'table', w.table, 'int32');
    put(op.name, 'scale', w.scale, 'float64');
    return { scheme: w.scheme, bits: w.bits, count: w.indices.length, powerOfTwo: w.powerOfTwo };
  };
  const requant = (op: IntConv | IntDense, r: Requant): Meta => {
    put(op.name, 'm', r.m, 'int32');
    put(op.name, 'shift', r.shift, 'int32');
    put(op.name, 'bias', r.bias, 'float64');
    return { maxCode: r.maxCode };
  };
  const ops = model.ops.map((op): Meta => {
    switch (op.op) {
      case 'conv': {
        const { weights: _w, requant: _r, ...rest } = op;
        return { ...rest, weights: weights(op), requant: requant(op, op.requant) };
      }
      case 'dense': {
        const { weights: _w, requant: r, logitScale, logitBias, ...rest } = op;
        const meta: Meta = { ...rest, weights: weights(op) };
        if (r) meta.requant = requant(op, r);
        if (logitScale) put(op.name, 'logitScale', logitScale, 'float64');
        if (logitBias) put(op.name, 'logitBias', logitBias, 'float64');
        return meta;
      }
      case 'kwta': {
        const { boost, ...rest } = op;
        if (boost) put(op.name, 'boost', boost, 'float64');
        return { ...rest, boosted: Boolean(boost) };
      }
      default:
        return { ...op };
    }
  });
  return { meta: { input: model.input, classes: model.classes, ops }, tensors };
}

function fail(message: string): never {
  throw new ModelFileError(`integer model: ${message}`);
}

const isInt = (v: unknown, lo: number, hi: number): v is number =>
  typeof v === 'number' && Number.isInteger(v) && v >= lo && v <= hi;
const isShape = (v: unknown): v is [number, number, number] =>
  Array.isArray(v) && v.length === 3 && v.every((d) => isInt(d, 1, 4096));
const isPos = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v > 0;

/** Rebuilds and validates an integer model from header metadata and tensors. */
export function intModelFromStored(meta: unknown, tensors: Map<string, StoredTensor>): IntModel {
  if (typeof meta !== 'object' || meta === null) fail('missing description');
  const m = meta as Meta;
  const input = m.input as IntModel['input'];
  if (
    !input ||
    !isShape(input.shape) ||
    !isInt(input.bits, 1, 8) ||
    !isPos(input.scale) ||
    !isInt(input.zeroPoint, 0, 255)
  ) {
    fail('invalid input quantizer');
  }
  if (!isInt(m.classes, 2, 10000)) fail('invalid class count');
  if (!Array.isArray(m.ops) || m.ops.length === 0) fail('no operations');
  const array = <T extends StoredTensor['data']>(
    op: string,
    field: string,
    dtype: StoredTensor['dtype'],
    length: number
  ): T => {
    const t = tensors.get(`int/${op}/${field}`);
    if (!t) fail(`${op}: tensor ${field} is missing`);
    if (t.dtype !== dtype) fail(`${op}: ${field} is ${t.dtype}, expected ${dtype}`);
    if (length >= 0 && t.data.length !== length)
      fail(`${op}: ${field} has ${t.data.length} values, expected ${length}`);
    return t.data as T;
  };
  const weightStore = (name: string, w: Meta, count: number, outC: number): WeightStore => {
    if (!['linear', 'exponential', 'kmeans'].includes(w.scheme as string))
      fail(`${name}: unknown weight scheme`);
    const maxBits = w.scheme === 'linear' ? 16 : 8;
    if (!isInt(w.bits, 1, maxBits) || w.count !== count)
      fail(`${name}: invalid weight description`);
    const table = array<Int32Array>(name, 'table', 'int32', -1);
    if (table.length < 1 || table.length > Math.min(2 ** (w.bits as number), 2 ** 14))
      fail(`${name}: table of ${table.length} levels for ${w.bits} bits`);
    if (table.some((v) => Math.abs(v) > 2 ** 14)) fail(`${name}: table level out of range`);
    const packed = array<Uint8Array>(name, 'indices', 'uint8', -1);
    const indices = unpackBits(packed, packedWidth(w.bits as number), count);
    for (const i of indices)
      if (i >= table.length) fail(`${name}: weight index ${i} beyond its table`);
    const scale = array<Float64Array>(name, 'scale', 'float64', outC);
    if (scale.some((v) => !Number.isFinite(v))) fail(`${name}: invalid weight scale`);
    return {
      scheme: w.scheme as WeightStore['scheme'],
      bits: w.bits as number,
      indices,
      table,
      values: Int32Array.from(indices, (i) => table[i]),
      scale,
      powerOfTwo: w.powerOfTwo === true
    };
  };
  const requant = (name: string, r: unknown, outC: number): Requant => {
    if (typeof r !== 'object' || r === null || !isInt((r as Meta).maxCode, 1, 255))
      fail(`${name}: invalid requantization`);
    const mm = array<Int32Array>(name, 'm', 'int32', outC);
    const shift = array<Int32Array>(name, 'shift', 'int32', outC);
    const bias = array<Float64Array>(name, 'bias', 'float64', outC);
    if (
      shift.some((s) => s < -8 || s > 62) ||
      bias.some((b) => !Number.isInteger(b) || Math.abs(b) > 2 ** 52)
    )
      fail(`${name}: requantization constants out of range`);
    return { m: mm, shift, bias, maxCode: (r as Meta).maxCode as number };
  };
  let shape: [number, number, number] = input.shape;
  let flat = false;
  const seen = new Set<string>();
  const ops: IntOp[] = (m.ops as Meta[]).map((o, index) => {
    if (typeof o !== 'object' || o === null || typeof o.name !== 'string' || seen.has(o.name))
      fail(`operation ${index}: invalid or repeated name`);
    seen.add(o.name);
    const name = o.name;
    const same = (a: unknown, b: number[]) => isShape(a) && a.every((d, i) => d === b[i]);
    if (flat && o.op !== 'dense') fail(`${name}: only a dense layer can follow a dense layer`);
    switch (o.op) {
      case 'conv': {
        if (!same(o.inShape, shape) || !isShape(o.outShape)) fail(`${name}: shapes do not chain`);
        const k = o.kernel as number[];
        if (
          !Array.isArray(k) ||
          !isInt(k[0], 1, 64) ||
          !isInt(k[1], 1, 64) ||
          !isInt(o.stride, 1, 16)
        )
          fail(`${name}: invalid kernel`);
        const pad = o.pad as { top: number; left: number };
        if (!pad || !isInt(pad.top, 0, 64) || !isInt(pad.left, 0, 64))
          fail(`${name}: invalid padding`);
        const [outH, outW, outC] = o.outShape as number[];
        if (
          (outH - 1) * (o.stride as number) - pad.top >= shape[0] ||
          (outW - 1) * (o.stride as number) - pad.left >= shape[1]
        )
          fail(`${name}: output larger than its input allows`);
        if (!isInt(o.outBits, 1, 8) || !isPos(o.outStep)) fail(`${name}: invalid output quantizer`);
        const op: IntConv = {
          op: 'conv',
          name,
          inShape: shape,
          outShape: o.outShape as [number, number, number],
          kernel: [k[0], k[1]],
          stride: o.stride as number,
          pad: { top: pad.top, left: pad.left },
          weights: weightStore(name, o.weights as Meta, k[0] * k[1] * shape[2] * outC, outC),
          requant: requant(name, o.requant, outC),
          outBits: o.outBits as number,
          outStep: o.outStep as number
        };
        shape = op.outShape;
        return op;
      }
      case 'dense': {
        const inSize = shape[0] * shape[1] * shape[2];
        if (o.inSize !== inSize || !isInt(o.outSize, 1, 100000))
          fail(`${name}: sizes do not chain`);
        const outSize = o.outSize as number;
        const op: IntDense = {
          op: 'dense',
          name,
          inSize,
          outSize,
          weights: weightStore(name, o.weights as Meta, inSize * outSize, outSize)
        };
        if (o.requant) {
          op.requant = requant(name, o.requant, outSize);
          if (!isInt(o.outBits, 1, 8) || !isPos(o.outStep))
            fail(`${name}: invalid output quantizer`);
          op.outBits = o.outBits as number;
          op.outStep = o.outStep as number;
        } else {
          op.logitScale = array<Float64Array>(name, 'logitScale', 'float64', outSize);
          op.logitBias = array<Float64Array>(name, 'logitBias', 'float64', outSize);
        }
        shape = [1, 1, outSize];
        flat = true;
        return op;
      }
      case 'maxpool':
      case 'avgpool':
      case 'gap': {
        if (
          !same(o.inShape, shape) ||
          !isShape(o.outShape) ||
          (o.outShape as number[])[2] !== shape[2]
        )
          fail(`${name}: shapes do not chain`);
        if (!isInt(o.size, 0, 64) || !isInt(o.stride, 1, 64)) fail(`${name}: invalid window`);
        const pad = o.pad as { top: number; left: number };
        if (!pad || !isInt(pad.top, 0, 64) || !isInt(pad.left, 0, 64))
          fail(`${name}: invalid padding`);
        if (
          o.op !== 'maxpool' &&
          (!isPos(o.inStep) || !isPos(o.outStep) || !isInt(o.outBits, 1, 8))
        )
          fail(`${name}: invalid quantizer`);
        shape = o.outShape as [number, number, number];
        return {
          ...(o as unknown as IntMaxPool | IntAvgPool),
          inShape: o.inShape as [number, number, number],
          outShape: shape
        };
      }
      case 'kwta': {
        if (!same(o.shape, shape) || !isInt(o.k, 1, shape[2])) fail(`${name}: invalid k-WTA`);
        const op: IntKwta = { op: 'kwta', name, shape, k: o.k as number };
        if (o.boosted) op.boost = array<Float64Array>(name, 'boost', 'float64', shape[2]);
        return op;
      }
      default:
        fail(`${name}: unknown operation ${JSON.stringify(o.op)}`);
    }
  });
  const last = ops[ops.length - 1];
  if (last.op !== 'dense' || last.requant || last.outSize !== m.classes)
    fail('the last operation must be a dense classifier with one output per class');
  return {
    input: { shape: input.shape, bits: input.bits, scale: input.scale, zeroPoint: input.zeroPoint },
    ops,
    classes: m.classes as number
  };
}
