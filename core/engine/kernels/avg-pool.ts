/**
 * Average pooling and global average pooling on codes: the window sum times inStep / count,
 * requantized to outStep with a fixed-point multiplier per window size (windows at a 'same'
 * border hold fewer inputs, and like tfjs the mean is over the inputs actually there).
 */
import type { IntAvgPool } from '../int-model';
import { fixedPoint } from '../requant-form';
import { countNonZero, type OpCounters } from '../counters';

const cache = new WeakMap<IntAvgPool, Map<number, { m: number; shift: number }>>();

function multiplier(op: IntAvgPool, count: number): { m: number; shift: number } {
  let byCount = cache.get(op);
  if (!byCount) cache.set(op, (byCount = new Map()));
  let f = byCount.get(count);
  if (!f) byCount.set(count, (f = fixedPoint(op.inStep / (count * op.outStep))));
  return f;
}

export function avgPoolImpl(
  op: IntAvgPool,
  x: Int32Array,
  counters: OpCounters,
  bits: number
): Int32Array {
  const [inH, inW, c] = op.inShape;
  const [outH, outW] = op.op === 'gap' ? [1, 1] : op.outShape;
  const maxCode = 2 ** op.outBits - 1;
  const y = new Int32Array(outH * outW * c);
  if (op.op === 'gap') {
    // One window over everything: sum position by position, channels contiguous.
    const sums = new Float64Array(c);
    for (let base = 0; base < x.length; base += c)
      for (let k = 0; k < c; k++) sums[k] += x[base + k];
    const { m, shift } = multiplier(op, inH * inW);
    for (let k = 0; k < c; k++) {
      const q = Math.floor((sums[k] * m + 2 ** (shift - 1)) / 2 ** shift);
      y[k] = q < 0 ? 0 : q > maxCode ? maxCode : q;
    }
  } else {
    for (let oh = 0; oh < outH; oh++) {
      const h0 = Math.max(0, oh * op.stride - op.pad.top);
      const h1 = Math.min(inH, oh * op.stride - op.pad.top + op.size);
      for (let ow = 0; ow < outW; ow++) {
        const w0 = Math.max(0, ow * op.stride - op.pad.left);
        const w1 = Math.min(inW, ow * op.stride - op.pad.left + op.size);
        const { m, shift } = multiplier(op, (h1 - h0) * (w1 - w0));
        for (let k = 0; k < c; k++) {
          let sum = 0;
          for (let h = h0; h < h1; h++)
            for (let w = w0; w < w1; w++) sum += x[(h * inW + w) * c + k];
          const q = Math.floor((sum * m + 2 ** (shift - 1)) / 2 ** shift);
          y[(oh * outW + ow) * c + k] = q < 0 ? 0 : q > maxCode ? maxCode : q;
        }
      }
    }
  }
  counters.inputs = x.length;
  counters.inputNonZero = countNonZero(x);
  counters.outputs = y.length;
  counters.outputNonZero = countNonZero(y);
  counters.activationBitsRead = x.length * bits;
  counters.activationBitsWritten = y.length * op.outBits;
  return y;
}
