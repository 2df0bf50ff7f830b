/**
 * k-WTA on integer codes: the same winners as the trained model (the codes order exactly like the
 * real values, ties go to the lower channel, a zero never wins), via core/sparsify's mask.
 */
import type { IntKwta } from '../int-model';
import { kwtaMask } from '../../sparsify/k-wta';
import { countNonZero, type OpCounters } from '../counters';

export function kwtaImpl(
  op: IntKwta,
  x: Int32Array,
  counters: OpCounters,
  bits: number,
  wins?: Float32Array
): Int32Array {
  const channels = op.shape[2];
  const mask = kwtaMask(x, channels, op.k, op.boost, wins);
  const y = new Int32Array(x.length);
  for (let i = 0; i < x.length; i++) if (mask[i]) y[i] = x[i];
  counters.inputs = x.length;
  counters.inputNonZero = countNonZero(x);
  counters.outputs = y.length;
  counters.outputNonZero = countNonZero(y);
  counters.activationBitsRead = x.length * bits;
  counters.activationBitsWritten = y.length * bits;
  return y;
}
