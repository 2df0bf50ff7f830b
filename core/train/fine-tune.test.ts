import { beforeAll, describe, expect, test } from 'vitest';
import { networkToContents } from '../model-file/network-io';
import { validateSpec, type ModelSpec } from '../spec';
import { createRng } from '../util/rng';
import { initTrainingBackend } from './backend/init-backend';
import type { Examples } from './dataset';
import { evaluate } from './evaluate';
import { specFromBase, type Base } from '../data/base';
import { applyOverrides } from '../spec/overrides';
import { resolveSpec } from '../spec/resolve';
import {
  BaseMismatchError,
  firstTrainedIndex,
  firstTrainedLayer,
  frozenFeatures
} from './fine-tune';
import { allVariables, disposeNetwork, type Network } from './network';
import { train } from './trainer';

/** 8×8 grey images: class c has a bright 3×3 blob at one of `classes` fixed places, plus noise. */
function blobs(perClass: number, classes: number, seed: number, offset = 0): Examples {
  const rng = createRng(seed);
  const count = perClass * classes;
  const x = new Float32Array(count * 64);
  const y = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const c = i % classes;
    y[i] = c;
    for (let p = 0; p < 64; p++) x[i * 64 + p] = 0.3 * rng.next();
    const place = (c + offset) % 9;
    const oy = Math.floor(place / 3) * 2 + rng.int(2);
    const ox = (place % 3) * 2 + rng.int(2);
    for (let dy = 0; dy < 3; dy++)
      for (let dx = 0; dx < 3; dx++) x[i * 64 + (oy + dy) * 8 + ox + dx] += 0.7;
  }
  return { x, y, count, shape: [8, 8, 1], classes };
}

function spec(weightBits = 4): ModelSpec {
  return validateSpec({
    version: 1,
    name: 'tiny-base',
    input: { shape: [8, 8, 1], kind: 'image' },
    quant: { weightBits, weightScheme: 'linear', actBits: 8, inputBits: 8 },
    layers: [
      { type: 'conv', filters: 8, kernel: 3 },
      { type: 'batchnorm' },
      { type: 'relu' },
      { type: 'kwta', fraction: 0.5 },
      { type: 'conv', filters: 8, kernel: 3 },
      { type: 'batchnorm' },
      { type: 'relu' },
      { type: 'gap' },
      { type: 'dense' }
    ],
    training: { optimizer: 'adam', learningRate: 0.01, l2: 1e-4, batchSize: 16, epochs: 6 }
  });
}

const values = (net: Network) =>
  allVariables(net).map((v) => (v.dataSync() as Float32Array).slice());

beforeAll(async () => {
  await initTrainingBackend({ backend: 'wasm' });
});

describe('starting from a base', () => {
  test('head: the base layers and their statistics stay exactly as the base has them', async () => {
    const baseRun = await train(spec(), blobs(20, 6, 1), { seed: 3 });
    const base = networkToContents(baseRun.network, spec(), ['a', 'b', 'c', 'd', 'e', 'f'], {}, '');
    disposeNetwork(baseRun.network);
    // A project with 3 new classes (other places of the blob).
    const project = blobs(10, 3, 5, 6);
    const run = await train(spec(), project, { seed: 4, start: { base, train: 'head' } });
    try {
      const head = firstTrainedLayer(run.network, 'head');
      expect(run.network.model.layers[head].spec.type).toBe('dense');
      const byName = new Map(base.tensors.map((t) => [t.name, t.data]));
      for (const layer of run.network.model.layers) {
        const p = run.network.params[layer.name];
        if (!p || layer.index >= head) continue;
        for (const [field, v] of Object.entries(p)) {
          expect(Array.from(v!.dataSync()), `${layer.name}/${field}`).toEqual(
            Array.from(byName.get(`${layer.name}/${field}`)!)
          );
        }
      }
      for (const [name, max] of Object.entries(base.stats.actMax)) {
        expect(run.network.stats.actMax[name], name).toBe(max);
      }
      expect(run.network.stats.inputRange).toEqual(base.stats.inputRange);
      expect(evaluate(run.network, blobs(10, 3, 9, 6)).accuracy).toBeGreaterThan(0.5);
    } finally {
      disposeNetwork(run.network);
    }
  });

  test('all: every layer starts from the base and changes', async () => {
    const baseRun = await train(spec(), blobs(20, 6, 1), { seed: 3 });
    const base = networkToContents(baseRun.network, spec(), ['a', 'b', 'c', 'd', 'e', 'f'], {}, '');
    const before = values(baseRun.network);
    disposeNetwork(baseRun.network);
    const run = await train(spec(), blobs(10, 3, 5, 6), {
      seed: 4,
      epochs: 2,
      start: { base, train: 'all' }
    });
    try {
      const after = values(run.network);
      // The first conv kernel moved away from the base, but not far: it started there.
      const changed = after[0].some((v, i) => v !== before[0][i]);
      expect(changed).toBe(true);
      const distance = Math.hypot(...after[0].map((v, i) => v - before[0][i]));
      expect(distance).toBeLessThan(Math.hypot(...before[0]));
    } finally {
      disposeNetwork(run.network);
    }
  });

  test('a base with other layers is refused with the layer named', async () => {
    const other = validateSpec({
      ...spec(),
      layers: spec().layers.map((l) => (l.type === 'conv' ? { ...l, filters: 4 } : l))
    });
    const baseRun = await train(other, blobs(4, 6, 1), { seed: 3, epochs: 1 });
    const base = networkToContents(baseRun.network, other, ['a', 'b', 'c', 'd', 'e', 'f'], {}, '');
    disposeNetwork(baseRun.network);
    await expect(train(spec(), blobs(4, 3, 5), { start: { base, train: 'head' } })).rejects.toThrow(
      BaseMismatchError
    );
    await expect(train(spec(), blobs(4, 3, 5), { start: { base, train: 'head' } })).rejects.toThrow(
      /conv0\/kernel/
    );
  });

  test("a run's bits, scheme and k-WTA reach the layers that train; the frozen ones serve the base's", async () => {
    const baseRun = await train(spec(), blobs(20, 6, 1), { seed: 3 });
    const contents = networkToContents(
      baseRun.network,
      spec(),
      ['a', 'b', 'c', 'd', 'e', 'f'],
      {},
      ''
    );
    disposeNetwork(baseRun.network);
    const base: Base = {
      name: 'tiny-base',
      hash: '00000000',
      contents,
      others: { clips: [], words: [] },
      record: {}
    };
    const overrides = {
      weightBits: 2,
      weightScheme: 'exponential',
      actBits: 4,
      kwta: 0.25
    } as const;
    const headSpec = specFromBase(base, overrides, 'head');
    const r = resolveSpec(headSpec, 3).layers;
    const head = firstTrainedIndex(headSpec.layers, 'head');
    expect(head).toBe(8);
    for (const l of r.slice(0, head)) {
      if (l.kernelShape)
        expect([l.name, l.weightBits, l.weightScheme]).toEqual([l.name, 4, 'linear']);
      if (l.actBits !== undefined) expect([l.name, l.actBits]).toEqual([l.name, 8]);
      if (l.spec.type === 'kwta') expect(l.spec.fraction).toBe(0.5);
    }
    expect([r[head].weightBits, r[head].weightScheme]).toEqual([2, 'exponential']);
    // top: the last conv block takes the run's settings too; all: every layer does.
    const top = resolveSpec(specFromBase(base, overrides, 'top'), 3).layers;
    expect(top.filter((l) => l.kernelShape).map((l) => l.weightScheme)).toEqual([
      'linear',
      'exponential',
      'exponential'
    ]);
    expect(top.filter((l) => l.actBits !== undefined).map((l) => l.actBits)).toEqual([8, 4, 4]);
    const all = resolveSpec(specFromBase(base, overrides, 'all'), 3).layers;
    expect(all.find((l) => l.spec.type === 'kwta')!.spec).toMatchObject({ fraction: 0.25 });

    // What the head learns on is exactly what the base computes; the same overrides on every
    // layer would round the frozen weights another way and change it.
    const project = blobs(6, 3, 5, 6);
    const featuresOf = async (s: ModelSpec) => {
      const run = await train(s, project, {
        seed: 4,
        epochs: 1,
        start: { base: contents, train: 'head' }
      });
      try {
        return Array.from(frozenFeatures(run.network, project).x);
      } finally {
        disposeNetwork(run.network);
      }
    };
    const served = await featuresOf(spec());
    expect(await featuresOf(headSpec)).toEqual(served);
    expect(await featuresOf(applyOverrides(spec(), overrides))).not.toEqual(served);
  });
});
