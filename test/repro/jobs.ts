/**
 * The reproduction's units of work. Each job trains one network (one configuration, one seed) and
 * measures what its study needs, so jobs can run in any order, in parallel processes, and give
 * the same result for the same seed. Data sets are loaded once per process.
 */
import { shiftImages } from '../../core/data/augment';
import { evaluateContents } from '../../core/data/pipeline';
import { convertToInt } from '../../core/engine/convert';
import { evaluateInt } from '../../core/engine/evaluate-int';
import { estimateEnergy } from '../../core/energy/estimate';
import type { ModelContents } from '../../core/model-file/model-file';
import { networkToContents } from '../../core/model-file/network-io';
import { quantizeLinear } from '../../core/quant/linear';
import { applyOverrides, validateSpec, type ModelSpec, type SpecOverrides } from '../../core/spec';
import { subset, type Examples } from '../../core/train/dataset';
import { disposeNetwork } from '../../core/train/network';
import { train } from '../../core/train/trainer';
import type { TrainOptions } from '../../core/train/train-options';
import { deadFilterStudy, type DeadFilterRow } from '../bench/dead-filters';
import { loadFashionMnist, loadMnist } from '../bench/mnist-data';

export type DatasetName = 'digits' | 'fashion';

/** How much of each data set a run uses, and for how long it trains. */
export interface Scale {
  digits: { train: number; test: number };
  fashion: { train: number; test: number };
  /** Training images for the k-means (B) and low-bit k-WTA (C) studies, from the digits. */
  studyTrain: number;
  /** Training images and epochs for the implicit-sparsity grid (F), from the digits. */
  sparsityTrain: number;
  sparsityEpochs: number;
  epochs: number;
  fewEpochs: number;
  iterativeRounds: number;
  iterativeEpochs: number;
  ptqBits: number[];
  lowBits: number[];
  perClass: number[];
  seeds: number[];
}

/** Filters of the three conv layers of the reproduction net, and the k-WTA fraction it uses. */
export const WIDE = [16, 64, 64];
export const KWTA = 0.25;
/**
 * Width factor of the dense (no k-WTA) net that costs about as much energy per inference as the
 * k-WTA net. k-WTA ¼ skips most MACs of the later layers but not the first layer's or the weight
 * reads; in trial runs the k-WTA net used ≈ 0.75–0.8 of the same net's energy, and energy grew
 * with width to the power ≈ 1.5, hence 0.85. The tables list the measured energies of both.
 */
export const EQUAL_ENERGY_WIDTH = 0.85;

/**
 * The reproduction net: 28×28 grey → conv 3×3 (BN, ReLU, 2×2 max pool, k-WTA) ×2 → conv 3×3 (BN,
 * ReLU, k-WTA) → global average pool → dense; `width` scales the filter counts.
 */
export function reproSpec(width = 1): ModelSpec {
  const [a, b, c] = WIDE.map((f) => Math.max(1, Math.round(f * width)));
  const block = (filters: number, pool: boolean) => [
    { type: 'conv', filters, kernel: 3 },
    { type: 'batchnorm' },
    { type: 'relu' },
    ...(pool ? [{ type: 'maxpool', size: 2 }] : []),
    { type: 'kwta', fraction: KWTA }
  ];
  return validateSpec(
    {
      version: 1,
      name: `repro-${a}-${b}-${c}`,
      input: { shape: [28, 28, 1], kind: 'image' },
      quant: { weightBits: 8, weightScheme: 'linear', actBits: 8, inputBits: 8 },
      layers: [
        ...block(a, true),
        ...block(b, true),
        ...block(c, false),
        { type: 'gap' },
        { type: 'dense' }
      ],
      training: { optimizer: 'adam', learningRate: 0.003, l2: 1e-4, batchSize: 64, epochs: 20 }
    },
    'the reproduction net'
  );
}

const FLOAT: SpecOverrides = { weightBits: 32, actBits: 32, kwta: 1 };

function floatSpec(): ModelSpec {
  const s = applyOverrides(reproSpec(), FLOAT);
  s.quant.inputBits = 32;
  return s;
}

function withInputBits(spec: ModelSpec, bits: number): ModelSpec {
  const s = JSON.parse(JSON.stringify(spec)) as ModelSpec;
  s.quant.inputBits = bits;
  return s;
}

export type Job =
  | { kind: 'ptq'; dataset: DatasetName; seed: number }
  | { kind: 'kmeans'; seed: number; bits: number }
  | { kind: 'lowbit'; seed: number; bits: number; variant: Variant }
  | { kind: 'few'; dataset: DatasetName; seed: number; perClass: number; variant: Variant }
  | {
      kind: 'sparsity';
      seed: number;
      optimizer: 'adam' | 'sgd';
      l2: number;
      batchSize: number;
    };

/** k-WTA net; the same net without k-WTA; the narrower net without k-WTA (about equal energy). */
export type Variant = 'kwta' | 'dense' | 'narrow';

export interface PtqResult {
  floatAccuracy: number;
  /** Accuracy per bit width of ptqBits, per scheme. */
  perChannel: number[];
  perLayer: number[];
  exponential: number[];
  kmeans: number[];
}

export interface IntResult {
  accuracy: number;
  energyPj: number;
}

export type JobResult =
  | { kind: 'ptq'; result: PtqResult }
  | { kind: 'kmeans'; floatAccuracy: number; qat: IntResult; iterative: IntResult }
  | { kind: 'lowbit'; result: IntResult }
  | { kind: 'few'; result: IntResult }
  | { kind: 'sparsity'; row: Omit<DeadFilterRow, 'contents' | 'energy'> };

/** A short stable name, for logs and for matching results to jobs. */
export function jobName(j: Job): string {
  switch (j.kind) {
    case 'ptq':
      return `A ${j.dataset} seed ${j.seed}`;
    case 'kmeans':
      return `B ${j.bits}-bit seed ${j.seed}`;
    case 'lowbit':
      return `C ${j.bits}-bit ${j.variant} seed ${j.seed}`;
    case 'few':
      return `D ${j.dataset} ${j.perClass}/class ${j.variant} seed ${j.seed}`;
    case 'sparsity':
      return `F ${j.optimizer} L2 ${j.l2} batch ${j.batchSize} seed ${j.seed}`;
  }
}

/** Relative cost of a job in training passes, so the longest can start first. */
export function jobCost(j: Job, s: Scale): number {
  switch (j.kind) {
    case 'ptq':
      return s[j.dataset].train * s.epochs * 1.3;
    case 'kmeans':
      return s.studyTrain * (3 * s.epochs + s.iterativeRounds * s.iterativeEpochs);
    case 'lowbit':
      return s.studyTrain * s.epochs;
    case 'few':
      return j.perClass * 10 * s.fewEpochs;
    case 'sparsity':
      return s.sparsityTrain * s.sparsityEpochs;
  }
}

const cache = new Map<string, { train: Examples; test: Examples }>();

/** Takes the first n of each class in turn, so any prefix is class-balanced. */
function balanced(d: Examples, n: number, perClassLimit = Infinity): Examples {
  const byClass = Array.from({ length: d.classes }, () => [] as number[]);
  for (let i = 0; i < d.count; i++) byClass[d.y[i]].push(i);
  const idx: number[] = [];
  for (let k = 0; idx.length < Math.min(n, d.count); k++) {
    let any = false;
    for (const c of byClass) {
      if (k < c.length && k < perClassLimit && idx.length < n) {
        idx.push(c[k]);
        any = true;
      }
    }
    if (!any) break;
  }
  return subset(d, idx);
}

function data(name: DatasetName, s: Scale): { train: Examples; test: Examples } {
  let d = cache.get(name);
  if (!d) {
    // (Fashion-MNIST's files hold the classes evenly mixed, so twice the images needed suffice.)
    const raw =
      name === 'digits'
        ? loadMnist(0.2)
        : loadFashionMnist(2 * s.fashion.train, Math.min(10000, 2 * s.fashion.test));
    d = { train: balanced(raw.train, s[name].train), test: balanced(raw.test, s[name].test) };
    cache.set(name, d);
  }
  return d;
}

const augment: TrainOptions['augment'] = (x, _y, rng) => shiftImages(x, [28, 28, 1], 2, rng);
const LABELS = Array.from({ length: 10 }, (_, i) => String(i));

async function trainContents(
  spec: ModelSpec,
  trainSet: Examples,
  options: Partial<TrainOptions>
): Promise<ModelContents> {
  const run = await train(spec, trainSet, { augment, ...options });
  const contents = networkToContents(run.network, spec, LABELS, {}, '');
  disposeNetwork(run.network);
  return contents;
}

function intResult(contents: ModelContents, test: Examples): IntResult {
  const model = convertToInt(contents);
  const r = evaluateInt(model, test);
  return { accuracy: r.evaluation.accuracy, energyPj: estimateEnergy(model, r.layers).totalPj };
}

/** The float model with every kernel snapped to one linear scale per layer (the paper's baseline). */
function perLayerLinear(contents: ModelContents, bits: number): ModelContents {
  return {
    ...contents,
    tensors: contents.tensors.map((t) =>
      t.name.endsWith('/kernel')
        ? {
            ...t,
            data: quantizeLinear(t.data as Float32Array, [t.data.length, 1], bits).values
          }
        : t
    )
  };
}

function variantSpec(variant: Variant, bits: number, actBits: number): ModelSpec {
  const spec = reproSpec(variant === 'narrow' ? EQUAL_ENERGY_WIDTH : 1);
  return applyOverrides(spec, { weightBits: bits, actBits, kwta: variant === 'kwta' ? KWTA : 1 });
}

/** Runs one job in this process (the wasm training backend must be initialised). */
export async function runJob(job: Job, s: Scale): Promise<JobResult> {
  const base = { seed: job.seed, epochs: s.epochs };
  switch (job.kind) {
    case 'ptq': {
      const { train: tr, test } = data(job.dataset, s);
      const fs = floatSpec();
      const model = await trainContents(fs, tr, base);
      const acc = (c: ModelContents) => evaluateContents(c, test).accuracy;
      const scheme = (name: 'linear' | 'exponential' | 'kmeans') =>
        s.ptqBits.map((bits) =>
          acc({ ...model, spec: applyOverrides(fs, { weightBits: bits, weightScheme: name }) })
        );
      return {
        kind: 'ptq',
        result: {
          floatAccuracy: acc(model),
          perChannel: scheme('linear'),
          perLayer: s.ptqBits.map((bits) => acc(perLayerLinear(model, bits))),
          exponential: scheme('exponential'),
          kmeans: scheme('kmeans')
        }
      };
    }
    case 'kmeans': {
      const { train: all, test } = data('digits', s);
      const tr = balanced(all, s.studyTrain);
      const actBits = job.bits >= 5 ? 5 : 4;
      const spec = withInputBits(
        applyOverrides(reproSpec(), {
          weightBits: job.bits,
          weightScheme: 'kmeans',
          actBits,
          kwta: 1
        }),
        actBits
      );
      // The full-precision reference on the same images.
      const float = await trainContents(floatSpec(), tr, base);
      const qat = intResult(await trainContents(spec, tr, base), test);
      const iterative = intResult(
        await trainContents(spec, tr, {
          ...base,
          iterativeRounds: s.iterativeRounds,
          iterativeEpochs: s.iterativeEpochs
        }),
        test
      );
      return {
        kind: 'kmeans',
        floatAccuracy: evaluateContents(float, test).accuracy,
        qat,
        iterative
      };
    }
    case 'lowbit': {
      const { train: all, test } = data('digits', s);
      const spec = variantSpec(job.variant, job.bits, 4);
      const contents = await trainContents(spec, balanced(all, s.studyTrain), {
        ...base,
        probabilistic: true
      });
      return { kind: 'lowbit', result: intResult(contents, test) };
    }
    case 'few': {
      const { train: all, test } = data(job.dataset, s);
      const few = balanced(all, job.perClass * 10, job.perClass);
      const contents = await trainContents(variantSpec(job.variant, 4, 4), few, {
        seed: job.seed,
        epochs: s.fewEpochs,
        validationFraction: 0
      });
      return { kind: 'few', result: intResult(contents, test) };
    }
    case 'sparsity': {
      const { train: all, test } = data('digits', s);
      const spec = applyOverrides(reproSpec(), { weightBits: 8, actBits: 8, kwta: 1 });
      const {
        contents: _c,
        energy: _e,
        ...row
      } = await deadFilterStudy(
        spec,
        balanced(all, s.sparsityTrain),
        test,
        {
          name: `${job.optimizer} L2 ${job.l2}`,
          optimizer: job.optimizer,
          learningRate: job.optimizer === 'adam' ? 0.003 : 0.05,
          l2: job.l2
        },
        { ...base, epochs: s.sparsityEpochs, augment, batchSize: job.batchSize }
      );
      return { kind: 'sparsity', row };
    }
  }
}
