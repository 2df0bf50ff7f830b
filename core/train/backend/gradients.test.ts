/**
 * Gradients on Quench's wasm setup against stock tfjs on the cpu backend: conv2d w.r.t. its filter
 * (our Conv2DBackpropFilter) and its input (Conv2DBackpropInput), and a conv→relu→maxpool→avgpool
 * chain (MaxPoolGrad, AvgPoolGrad). Every gradient is taken against a random upstream gradient
 * rather than ones, so a transposed or mis-indexed kernel cannot hide behind symmetry.
 */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, test } from 'vitest';
import { createRng, type Rng } from '../../util/rng';
import { conv2d } from './conv2d';
import { initTrainingBackend } from './init-backend';

type Pad = 'same' | 'valid' | [[0, 0], [number, number], [number, number], [0, 0]];
type Shape4 = [number, number, number, number];

interface Case {
  name: string;
  xShape: Shape4;
  wShape: Shape4;
  stride: 1 | 2;
  pad: Pad;
  seed: number;
}

/** Elementwise |actual − ref| ≤ TOL·(1 + |ref|): float32 sums of a few hundred terms stay well inside. */
const TOL = 1e-4;

function caseName(xShape: Shape4, wShape: Shape4, stride: number, pad: Pad): string {
  const p = typeof pad === 'string' ? pad : `pad=[${pad[1].join(',')},${pad[2].join(',')}]`;
  return `x=[${xShape.join(',')}] w=[${wShape.join(',')}] s=${stride} ${p}`;
}

function makeCase(xShape: Shape4, wShape: Shape4, stride: 1 | 2, pad: Pad, seed: number): Case {
  return { name: caseName(xShape, wShape, stride, pad), xShape, wShape, stride, pad, seed };
}

/**
 * Random shapes from a fixed seed, plus the corners: 1 and 16 channels, batch > 1, 1×1 kernels,
 * and shapes that take the blocked filter-gradient path.
 */
function convCases(count: number, seed: number): Case[] {
  const rng = createRng(seed);
  const between = (lo: number, hi: number): number => lo + rng.int(hi - lo + 1);
  const cases = [
    makeCase([2, 9, 7, 3], [3, 2, 3, 5], 2, 'same', 1),
    makeCase([1, 5, 5, 1], [3, 3, 1, 1], 1, 'valid', 2),
    makeCase([3, 8, 8, 16], [3, 3, 16, 16], 1, 'same', 3),
    makeCase([2, 6, 7, 4], [1, 1, 4, 8], 2, 'valid', 4),
    makeCase(
      [2, 7, 6, 2],
      [2, 3, 2, 3],
      1,
      [
        [0, 0],
        [1, 0],
        [2, 1],
        [0, 0]
      ],
      5
    ),
    // kh·kw·inC a multiple of 3 and outC of 16: Quench's blocked filter-gradient product.
    makeCase([2, 12, 10, 1], [3, 3, 1, 16], 1, 'same', 6),
    makeCase([2, 9, 7, 6], [3, 3, 6, 32], 2, 'same', 7),
    makeCase([3, 7, 5, 4], [3, 1, 4, 16], 1, 'valid', 8),
    makeCase([1, 6, 6, 32], [3, 3, 32, 64], 1, 'same', 9)
  ];
  for (let i = 0; i < count; i++) {
    const kh = between(1, 4);
    const kw = between(1, 4);
    const xShape: Shape4 = [between(1, 3), between(kh, 10), between(kw, 10), between(1, 16)];
    const wShape: Shape4 = [kh, kw, xShape[3], between(1, 16)];
    const stride = rng.next() < 0.5 ? 1 : 2;
    const pad = rng.next() < 0.5 ? 'same' : 'valid';
    cases.push(makeCase(xShape, wShape, stride, pad, 100 + i));
  }
  return cases;
}

function randomValues(rng: Rng, size: number): Float32Array {
  return Float32Array.from({ length: size }, () => rng.normal());
}

interface Grads {
  dx: { shape: number[]; dtype: string; values: Float32Array };
  dw: { shape: number[]; dtype: string; values: Float32Array };
}

/**
 * d(sum(r ⊙ f(x, w)))/dx and /dw on `backend`, r a fixed random tensor of f's output shape.
 * The inputs are rebuilt on each backend from the same seed, so both see identical values.
 */
async function gradsOn(
  backend: 'wasm' | 'cpu',
  c: Case,
  f: (x: tf.Tensor4D, w: tf.Tensor4D) => tf.Tensor
): Promise<Grads> {
  await tf.setBackend(backend);
  const rng = createRng(c.seed);
  const x = tf.tensor4d(
    randomValues(
      rng,
      c.xShape.reduce((a, b) => a * b)
    ),
    c.xShape
  );
  const w = tf.tensor4d(
    randomValues(
      rng,
      c.wShape.reduce((a, b) => a * b)
    ),
    c.wShape
  );
  const outShape = tf.tidy(() => f(x, w).shape);
  const r = tf.tensor(
    randomValues(
      rng,
      outShape.reduce((a, b) => a * b, 1)
    ),
    outShape
  );
  const [dx, dw] = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
    tf.sum(tf.mul(f(a as tf.Tensor4D, b as tf.Tensor4D), r))
  )([x, w]);
  const read = (t: tf.Tensor): Grads['dx'] => ({
    shape: t.shape,
    dtype: t.dtype,
    values: t.dataSync() as Float32Array
  });
  const out = { dx: read(dx), dw: read(dw) };
  tf.dispose([x, w, r, dx, dw]);
  return out;
}

function expectClose(actual: Grads['dx'], ref: Grads['dx'], what: string): void {
  expect(actual.shape, `${what} shape`).toEqual(ref.shape);
  expect(actual.dtype, `${what} dtype`).toBe('float32');
  let worst = 0;
  let at = -1;
  for (let i = 0; i < ref.values.length; i++) {
    const excess = Math.abs(actual.values[i] - ref.values[i]) / (1 + Math.abs(ref.values[i]));
    if (!(excess <= worst)) [worst, at] = [excess, i];
  }
  const detail = at < 0 ? '' : ` at ${at}: ${actual.values[at]} vs ${ref.values[at]}`;
  expect(worst, `${what} worst |Δ|/(1+|ref|)${detail}`).toBeLessThanOrEqual(TOL);
}

async function compare(c: Case, f: (x: tf.Tensor4D, w: tf.Tensor4D) => tf.Tensor): Promise<void> {
  const ref = await gradsOn('cpu', c, f);
  const got = await gradsOn('wasm', c, f);
  expectClose(got.dw, ref.dw, 'dw');
  expectClose(got.dx, ref.dx, 'dx');
}

const conv = (c: Case) => (x: tf.Tensor4D, w: tf.Tensor4D) => tf.conv2d(x, w, c.stride, c.pad);

/** The convolution the training forward pass uses ('same' resolved to explicit padding). */
const convAsTrained = (c: Case) => (x: tf.Tensor4D, w: tf.Tensor4D) =>
  typeof c.pad === 'string' ? conv2d(x, w, c.stride, c.pad) : tf.conv2d(x, w, c.stride, c.pad);

/** conv → relu → maxpool 2×2/2 same → avgpool 2×2/1 same: every pooling gradient kernel in use. */
const chain = (c: Case) => (x: tf.Tensor4D, w: tf.Tensor4D) =>
  tf.avgPool(tf.maxPool(tf.relu(convAsTrained(c)(x, w)), 2, 2, 'same'), 2, 1, 'same');

beforeAll(async () => {
  await initTrainingBackend({ backend: 'cpu' });
  await initTrainingBackend({ backend: 'wasm' });
});

describe('conv2d gradients w.r.t. filter and input, wasm vs cpu', () => {
  for (const c of convCases(14, 7)) test(c.name, () => compare(c, conv(c)));
});

describe('forward convolution as trained, wasm vs cpu', () => {
  // Stock wasm conv2d with 'same' is wrong on some stride-2 shapes; the first case is one of them.
  const cases = [makeCase([1, 1, 2, 2], [2, 1, 2, 3], 2, 'same', 11), ...convCases(30, 12)];
  for (const c of cases) {
    test(c.name, async () => {
      const run = async (backend: 'cpu' | 'wasm'): Promise<Grads['dx']> => {
        await tf.setBackend(backend);
        const rng = createRng(c.seed);
        const x = tf.tensor4d(
          randomValues(
            rng,
            c.xShape.reduce((a, b) => a * b)
          ),
          c.xShape
        );
        const w = tf.tensor4d(
          randomValues(
            rng,
            c.wShape.reduce((a, b) => a * b)
          ),
          c.wShape
        );
        const y = convAsTrained(c)(x, w);
        const out = { shape: y.shape, dtype: y.dtype, values: y.dataSync() as Float32Array };
        tf.dispose([x, w, y]);
        return out;
      };
      expectClose(await run('wasm'), await run('cpu'), 'y');
    });
  }
});

describe('conv→relu→maxpool→avgpool→sum gradients, wasm vs cpu', () => {
  for (const c of convCases(6, 8)) test(c.name, () => compare(c, chain(c)));
});

describe('resources', () => {
  test('x=[4,12,12,8] w=[3,3,8,16] s=1 same: no tensors or wasm buffers left after 5 steps', async () => {
    const c = makeCase([4, 12, 12, 8], [3, 3, 8, 16], 1, 'same', 9);
    await gradsOn('wasm', c, chain(c)); // warm-up: first-call allocations are not leaks
    const tensors = tf.memory().numTensors;
    const buffers = tf.backend().numDataIds();
    for (let i = 0; i < 5; i++) await gradsOn('wasm', c, chain(c));
    expect(tf.getBackend()).toBe('wasm');
    expect(tf.memory().numTensors).toBe(tensors);
    // The kernels' own intermediates (im2col matrix, transposes) never become tensors, so only the
    // backend's buffer count can show one that was not freed.
    expect(tf.backend().numDataIds()).toBe(buffers);
  });

  test('conv2d with dilation 2 is refused by name when differentiated', async () => {
    await tf.setBackend('wasm');
    const x = tf.ones([1, 6, 6, 1]) as tf.Tensor4D;
    const w = tf.ones([2, 2, 1, 1]) as tf.Tensor4D;
    const grad = tf.grad((v: tf.Tensor) =>
      tf.sum(tf.conv2d(x, v as tf.Tensor4D, 1, 'valid', 'NHWC', 2))
    );
    expect(() => grad(w)).toThrow(/dilation/);
    tf.dispose([x, w]);
  });
});
