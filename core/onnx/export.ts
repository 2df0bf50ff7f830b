/**
 * Integer model → a standard ONNX model (opset 13, batch 1). Input `features` is float32
 * [1, H, W, C] (the same features the engine takes) — or, with `input: 'raw'`, raw audio or RGB
 * pixels through the training front end (front-end.ts; opset 17 for audio's STFT). Outputs are
 * `logits` float32 [1, classes], `probabilities` (their softmax) and `codes` uint8, the
 * activation codes entering the classifier (for checking agreement).
 *
 * - Linear weights: ConvInteger / MatMulInteger with int8 weights and uint8 activations, then
 *   the requantization (per-channel scale and the folded batch norm) in float.
 * - Exponential and k-means weights (integer levels wider than int8): two int8 halves, their two
 *   integer products combined in int32 (`integerProduct`).
 * - Average pooling on real values: codes become reals by Cast, Sub and Mul, never
 *   DequantizeLinear (see `dequantize`), then QuantizeLinear back to codes.
 * - Activations narrower than 8 bits are clipped to their largest code.
 * - k-WTA with standard ops: TopK for the k-th value, then the winners are those above it plus
 *   the lowest-indexed ones equal to it (CumSum), and only positive values — the engine's rule.
 */
import type {
  IntAvgPool,
  IntConv,
  IntDense,
  IntKwta,
  IntMaxPool,
  IntModel
} from '../engine/int-model';
import { addFrontEnd, onnxInput, type OnnxExportOptions } from './front-end';
import { DT, GraphBuilder } from './graph';

export type { OnnxExportOptions };

export class ExportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ExportError';
  }
}

interface State {
  /** Current tensor: uint8 codes, NCHW [1, C, H, W] (or [1, C] after a dense layer). */
  name: string;
  /** Real value of one code, and the code of real zero. */
  step: number;
  zeroPoint: number;
  shape: [number, number, number];
}

function pads(
  inHW: [number, number],
  outHW: [number, number],
  k: [number, number],
  stride: number,
  pad: { top: number; left: number }
): number[] {
  const bottom = Math.max(0, (outHW[0] - 1) * stride + k[0] - inHW[0] - pad.top);
  const right = Math.max(0, (outHW[1] - 1) * stride + k[1] - inHW[1] - pad.left);
  return [pad.top, pad.left, bottom, right];
}

/**
 * Per output channel: the real value of one accumulator unit (may be negative) and the real
 * offset added to acc·scale (the folded bias and batch norm). A constant channel has scale 0
 * and its constant value as offset.
 */
function accScales(op: IntConv | IntDense): { scale: number[]; offset: number[] } {
  const n = op.op === 'conv' ? op.outShape[2] : op.outSize;
  const scale: number[] = [];
  const offset: number[] = [];
  for (let c = 0; c < n; c++) {
    if (op.requant) {
      const unit = op.outStep! / 2 ** op.requant.shift[c];
      scale.push(op.requant.m[c] * unit);
      offset.push(op.requant.bias[c] * unit);
    } else {
      const d = op as IntDense;
      scale.push(d.logitScale![c]);
      offset.push(d.logitBias![c]);
    }
  }
  return { scale, offset };
}

/**
 * The exact int32 product of uint8 codes and integer weights with ConvInteger / MatMulInteger.
 * Weights beyond int8 (k-means and exponential levels, up to 13 bits + sign) are split into
 * two int8 halves, w = 128·hi + lo, and the two integer products combined in int32.
 */
function integerProduct(
  g: GraphBuilder,
  op: 'ConvInteger' | 'MatMulInteger',
  x: string,
  xZero: string,
  values: Int32Array,
  layout: (values: Int32Array) => number[],
  dims: number[],
  attrs: Record<string, number[]> = {}
): string {
  const wZero = g.constant('w_zero', DT.INT8, [], [0]);
  const product = (v: Int32Array) =>
    g.node(op, [x, g.constant('w', DT.INT8, dims, layout(v)), xZero, wZero], attrs);
  let max = 0;
  for (const v of values) max = Math.max(max, Math.abs(v));
  if (max <= 127) return product(values);
  if (max > 127 * 128 + 63)
    throw new ExportError(`integer weights up to ${max} do not fit two int8 halves`);
  const lo = values.map((v) => ((((v + 64) % 128) + 128) % 128) - 64);
  const hi = values.map((v, i) => (v - lo[i]) / 128);
  return g.node('Add', [
    g.node('Mul', [product(hi), g.constant('k128', DT.INT32, [], [128])]),
    product(lo)
  ]);
}

function clipCodes(g: GraphBuilder, x: string, bits: number): string {
  if (bits >= 8) return x;
  const lo = g.constant('lo', DT.UINT8, [], [0]);
  const hi = g.constant('hi', DT.UINT8, [], [2 ** bits - 1]);
  return g.node('Clip', [x, lo, hi]);
}

/** [kh, kw, inC, outC] (HWIO) → [outC, inC, kh, kw] (OIHW), times `sign` per output channel. */
function toOIHW(
  values: Int32Array,
  kh: number,
  kw: number,
  inC: number,
  outC: number,
  map: (v: number, o: number) => number
): number[] {
  const out = new Array<number>(values.length);
  for (let r = 0; r < kh; r++)
    for (let s = 0; s < kw; s++)
      for (let c = 0; c < inC; c++)
        for (let o = 0; o < outC; o++)
          out[((o * inC + c) * kh + r) * kw + s] = map(
            values[((r * kw + s) * inC + c) * outC + o],
            o
          );
  return out;
}

function conv(g: GraphBuilder, st: State, op: IntConv): State {
  const [inH, inW, inC] = op.inShape;
  const [outH, outW, outC] = op.outShape;
  const [kh, kw] = op.kernel;
  const { scale, offset } = accScales(op);
  const attrs = {
    kernel_shape: [kh, kw],
    strides: [op.stride, op.stride],
    pads: pads([inH, inW], [outH, outW], [kh, kw], op.stride, op.pad)
  };
  const xZero = g.constant('x_zero', DT.UINT8, [], [st.zeroPoint]);
  const yScale = g.constant('y_scale', DT.FLOAT, [], [op.outStep]);
  const yZero = g.constant('y_zero', DT.UINT8, [], [0]);
  // The integer convolution itself (uint8 × int8 → int32), then the requantization in float:
  // acc·scale_c plus the folded batch-norm offset, rounded to the output step. QLinearConv would
  // need that offset as an int32 in accumulator units, and at 1–4-bit weights one unit is too
  // coarse to hold it (the rounding moved whole output steps in our tests).
  const acc = integerProduct(
    g,
    'ConvInteger',
    st.name,
    xZero,
    op.weights.values,
    (values) => toOIHW(values, kh, kw, inC, outC, (v) => v),
    [outC, inC, kh, kw],
    attrs
  );
  const real = g.node('Add', [
    g.node('Mul', [
      g.node('Cast', [acc], { to: DT.FLOAT }),
      g.constant('scale', DT.FLOAT, [1, outC, 1, 1], scale)
    ]),
    g.constant('offset', DT.FLOAT, [1, outC, 1, 1], offset)
  ]);
  const y = g.node('QuantizeLinear', [real, yScale, yZero]);
  return {
    name: clipCodes(g, y, op.outBits),
    step: op.outStep,
    zeroPoint: 0,
    shape: [outH, outW, outC]
  };
}

/** Window, strides and padding of a square pooling op, as ONNX pooling attributes. */
function poolAttributes(op: IntMaxPool | IntAvgPool) {
  const k: [number, number] = [op.size, op.size];
  return {
    kernel_shape: k,
    strides: [op.stride, op.stride],
    pads: pads(
      [op.inShape[0], op.inShape[1]],
      [op.outShape[0], op.outShape[1]],
      k,
      op.stride,
      op.pad
    )
  };
}

function maxPool(g: GraphBuilder, st: State, op: IntMaxPool): State {
  const [outH, outW, c] = op.outShape;
  const y = g.node('MaxPool', [st.name], poolAttributes(op));
  return { ...st, name: y, shape: [outH, outW, c] };
}

/**
 * Codes → real values, (code − zero point) · step, as DequantizeLinear defines it but in plain
 * Cast, Sub and Mul: onnxruntime-web's WebGPU DequantizeLinear misreads per-tensor uint8 input
 * (onnxruntime issue 32578), and these ops give the same float32 values on every backend (the
 * difference of two codes is an exact integer).
 */
function dequantize(g: GraphBuilder, st: State): string {
  const codes = g.node('Cast', [st.name], { to: DT.FLOAT });
  const centred =
    st.zeroPoint === 0
      ? codes
      : g.node('Sub', [codes, g.constant('x_zero', DT.FLOAT, [], [st.zeroPoint])]);
  return g.node('Mul', [centred, g.constant('x_scale', DT.FLOAT, [], [st.step])]);
}

function avgPool(g: GraphBuilder, st: State, op: IntAvgPool): State {
  const xf = dequantize(g, st);
  const [outH, outW, c] = op.outShape;
  const yf =
    op.op === 'gap'
      ? g.node('GlobalAveragePool', [xf])
      : g.node('AveragePool', [xf], { ...poolAttributes(op), count_include_pad: 0 });
  const y = g.node('QuantizeLinear', [
    yf,
    g.constant('y_scale', DT.FLOAT, [], [op.outStep]),
    g.constant('y_zero', DT.UINT8, [], [0])
  ]);
  return {
    name: clipCodes(g, y, op.outBits),
    step: op.outStep,
    zeroPoint: 0,
    shape: [outH, outW, c]
  };
}

function kwta(g: GraphBuilder, st: State, op: IntKwta): State {
  const c = op.shape[2];
  const xf = g.node('Cast', [st.name], { to: DT.FLOAT });
  const ranked = op.boost
    ? g.node('Mul', [xf, g.constant('boost', DT.FLOAT, [1, c, 1, 1], Array.from(op.boost))])
    : xf;
  const [values] = [
    g.node(
      'TopK',
      [ranked, g.constant('k', DT.INT64, [1], [op.k])],
      { axis: 1, largest: 1, sorted: 1 },
      [g.name('topk_values'), g.name('topk_indices')]
    )
  ];
  const kth = g.node('Slice', [
    values,
    g.constant('starts', DT.INT64, [1], [op.k - 1]),
    g.constant('ends', DT.INT64, [1], [op.k]),
    g.constant('axes', DT.INT64, [1], [1])
  ]);
  const above = g.node('Cast', [g.node('Greater', [ranked, kth])], { to: DT.FLOAT });
  const equal = g.node('Cast', [g.node('Equal', [ranked, kth])], { to: DT.FLOAT });
  const places = g.node('Sub', [
    g.constant('kf', DT.FLOAT, [], [op.k]),
    g.node('ReduceSum', [above, g.constant('axes', DT.INT64, [1], [1])], { keepdims: 1 })
  ]);
  const running = g.node('CumSum', [equal, g.constant('axis', DT.INT64, [], [1])]);
  const tied = g.node('Mul', [
    equal,
    g.node('Cast', [g.node('LessOrEqual', [running, places])], { to: DT.FLOAT })
  ]);
  const positive = g.node(
    'Cast',
    [g.node('Greater', [xf, g.constant('zero', DT.FLOAT, [], [0])])],
    { to: DT.FLOAT }
  );
  const mask = g.node('Mul', [g.node('Add', [above, tied]), positive]);
  const y = g.node('Cast', [g.node('Mul', [xf, mask])], { to: DT.UINT8 });
  return { ...st, name: y };
}

function dense(
  g: GraphBuilder,
  st: State,
  op: IntDense,
  last: boolean
): { state: State; logits?: string; codes: string } {
  // tfjs flattens NHWC; the graph is NCHW, so go back to NHWC first.
  const nhwc = g.node('Transpose', [st.name], { perm: [0, 2, 3, 1] });
  const flat = g.node('Reshape', [nhwc, g.constant('shape', DT.INT64, [2], [1, op.inSize])]);
  const { scale, offset } = accScales(op);
  const n = op.outSize;
  const acc = integerProduct(
    g,
    'MatMulInteger',
    flat,
    g.constant('a_zero', DT.UINT8, [], [st.zeroPoint]),
    op.weights.values,
    (values) => Array.from(values),
    [op.inSize, n]
  );
  // acc·scale_c + offset_c, float
  const accReal = g.node('Add', [
    g.node('Mul', [
      g.node('Cast', [acc], { to: DT.FLOAT }),
      g.constant('scale', DT.FLOAT, [n], scale)
    ]),
    g.constant('bias', DT.FLOAT, [n], offset)
  ]);
  if (last) {
    if (op.requant) throw new ExportError(`${op.name}: the classifier must output logits`);
    return { state: st, logits: accReal, codes: flat };
  }
  if (!op.requant) throw new ExportError(`${op.name}: a hidden dense layer needs an activation`);
  const y = g.node('QuantizeLinear', [
    accReal,
    g.constant('y_scale', DT.FLOAT, [], [op.outStep!]),
    g.constant('y_zero', DT.UINT8, [], [0])
  ]);
  const codes = clipCodes(g, y, op.outBits!);
  const nchw = g.node('Reshape', [codes, g.constant('shape', DT.INT64, [4], [1, n, 1, 1])]);
  return { state: { name: nchw, step: op.outStep!, zeroPoint: 0, shape: [1, 1, n] }, codes };
}

/** Serialises `model` as ONNX bytes; `options` chooses the input (features or raw). */
export function exportOnnx(
  model: IntModel,
  docString = '',
  options: OnnxExportOptions = {}
): Uint8Array {
  const g = new GraphBuilder();
  const [h, w, c] = model.input.shape;
  const input = onnxInput(model.input.shape, options);
  const front = addFrontEnd(g, model.input.shape, options);
  const nchw = g.node('Transpose', [front.features], { perm: [0, 3, 1, 2] });
  const q = g.node('QuantizeLinear', [
    nchw,
    g.constant('in_scale', DT.FLOAT, [], [model.input.scale]),
    g.constant('in_zero', DT.UINT8, [], [model.input.zeroPoint])
  ]);
  let st: State = {
    name: q,
    step: model.input.scale,
    zeroPoint: model.input.zeroPoint,
    shape: [h, w, c]
  };
  let logits: string | undefined;
  let codes: string | undefined;
  model.ops.forEach((op, i) => {
    const last = i === model.ops.length - 1;
    switch (op.op) {
      case 'conv':
        st = conv(g, st, op);
        break;
      case 'maxpool':
        st = maxPool(g, st, op);
        break;
      case 'avgpool':
      case 'gap':
        st = avgPool(g, st, op);
        break;
      case 'kwta':
        st = kwta(g, st, op);
        break;
      case 'dense': {
        const r = dense(g, st, op, last);
        st = r.state;
        logits = r.logits;
        codes = r.codes;
        break;
      }
    }
  });
  if (!logits || !codes) throw new ExportError('the model does not end in a dense classifier');
  g.node('Identity', [logits], {}, ['logits']);
  g.node('Softmax', [logits], { axis: 1 }, ['probabilities']);
  g.node('Identity', [codes], {}, ['codes']);
  const denseOp = model.ops[model.ops.length - 1] as IntDense;
  return g.encode({
    input: {
      name: input.name,
      type: input.type === 'uint8' ? DT.UINT8 : DT.FLOAT,
      dims: input.shape
    },
    outputs: [
      { name: 'logits', type: DT.FLOAT, dims: [1, model.classes] },
      { name: 'probabilities', type: DT.FLOAT, dims: [1, model.classes] },
      { name: 'codes', type: DT.UINT8, dims: [1, denseOp.inSize] }
    ],
    producer: 'quench',
    docString,
    opset: front.opset
  });
}
