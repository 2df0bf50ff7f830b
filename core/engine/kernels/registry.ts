/**
 * The engine's kernel registry: one kernel per operation type, registered from an explicit list;
 * registering a second kernel for the same operation is an error (as in tfjs's kernel registry).
 */
import type { IntOp } from '../int-model';
import type { OpCounters } from '../counters';
import { avgPoolImpl } from './avg-pool';
import { convImpl } from './conv';
import { denseImpl } from './dense';
import { kwtaImpl } from './kwta';
import { maxPoolImpl } from './max-pool';

/** Runs one op on its input codes; `bits` is the input's activation width. */
export type KernelFunc = (
  op: IntOp,
  x: Int32Array,
  counters: OpCounters,
  bits: number,
  wins?: Float32Array
) => Int32Array | Float32Array;

export interface EngineKernel {
  op: IntOp['op'];
  run: KernelFunc;
}

const registry = new Map<string, EngineKernel>();

export function registerKernel(kernel: EngineKernel): void {
  if (registry.has(kernel.op))
    throw new Error(`an engine kernel for "${kernel.op}" is already registered`);
  registry.set(kernel.op, kernel);
}

export function getKernel(op: string): EngineKernel {
  const k = registry.get(op);
  if (!k) throw new Error(`no engine kernel for "${op}"`);
  return k;
}

/** Every kernel the engine ships. */
export const ENGINE_KERNELS: EngineKernel[] = [
  { op: 'conv', run: (op, x, c, b) => convImpl(op as Parameters<typeof convImpl>[0], x, c, b) },
  { op: 'dense', run: (op, x, c, b) => denseImpl(op as Parameters<typeof denseImpl>[0], x, c, b) },
  {
    op: 'maxpool',
    run: (op, x, c, b) => maxPoolImpl(op as Parameters<typeof maxPoolImpl>[0], x, c, b)
  },
  {
    op: 'avgpool',
    run: (op, x, c, b) => avgPoolImpl(op as Parameters<typeof avgPoolImpl>[0], x, c, b)
  },
  {
    op: 'gap',
    run: (op, x, c, b) => avgPoolImpl(op as Parameters<typeof avgPoolImpl>[0], x, c, b)
  },
  {
    op: 'kwta',
    run: (op, x, c, b, w) => kwtaImpl(op as Parameters<typeof kwtaImpl>[0], x, c, b, w)
  }
];

let registered = false;

/** Registers ENGINE_KERNELS once (later calls do nothing). */
export function registerEngineKernels(): void {
  if (registered) return;
  for (const k of ENGINE_KERNELS) registerKernel(k);
  registered = true;
}
