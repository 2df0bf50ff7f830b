/**
 * The `quench` command line (DESIGN.md "CLI"): train, eval, predict, quantize and export on plain
 * dataset folders, with the same core code the app uses. `--json` prints one JSON object on
 * stdout; progress goes to stderr. Exit codes: 0 ok, 1 bad input (the message names the file and
 * the problem), 2 usage.
 */
import { readFile } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { DatasetError, loudestWindow } from '../core/data/dataset';
import {
  evaluateContents,
  examplesForModel,
  featureSettings,
  predictContents,
  trainOnDataset,
  type PipelineProgress
} from '../core/data/pipeline';
import { decodeImage, imageFeatures } from '../core/features/image';
import { clipGeometry, FeatureError, LogMelFrontEnd } from '../core/features/logmel';
import { resample } from '../core/features/resample';
import { decodeWav, toMono, WavError } from '../core/features/wav';
import { ConvertError, convertToInt } from '../core/engine/convert';
import { runInt } from '../core/engine/engine';
import { evaluateInt, type LayerSummary } from '../core/engine/evaluate-int';
import type { IntModel } from '../core/engine/int-model';
import {
  decodeModel,
  encodeModel,
  ModelFileError,
  type ModelContents
} from '../core/model-file/model-file';
import { exportOnnx } from '../core/onnx/export';
import { coinCellHours, estimateEnergy, powerWatts } from '../core/energy/estimate';
import { sparsityReport } from '../core/sparsify/analytics';
import type { Evaluation } from '../core/train/evaluate';
import {
  applyOverrides,
  getPreset,
  PRESET_NAMES,
  SpecError,
  validateSpec,
  type ModelSpec,
  type SpecOverrides,
  type WeightScheme
} from '../core/spec';
import { initTrainingBackend } from '../core/train/backend/init-backend';
import { writeFileAtomic } from '../electron/main/services/atomic-write';
import { folderSource } from '../electron/main/services/fs-dataset';
import { Progress } from './progress';

export class UsageError extends Error {}
/** Bad input: exit code 1. */
export class InputError extends Error {}

const HELP = `quench — train tiny low-precision, sparsified CNNs on your own sounds and images

Usage:
  quench train    --data DIR --out MODEL [options]
  quench eval     --model MODEL --data DIR [--engine int|float] [--json]
  quench predict  --model MODEL FILE...
  quench quantize --model MODEL --weight-bits B --weight-scheme S --out MODEL2
  quench export   --model MODEL --format onnx|int --out FILE

Datasets are folders with one sub-folder per class: <DIR>/<class>/*.wav, or *.png / *.jpg.
A class named "background" (or "_background_noise_") holds long recordings cut into 1 s clips
and mixed into the other classes' clips during training.

train options:
  --data DIR             dataset folder (required)
  --out MODEL            model file to write (required)
  --preset NAME|FILE     ${PRESET_NAMES.join(', ')} or a spec JSON file
                         (default: audio-small for WAV data, vision-small for images)
  --epochs N             training epochs (default: the preset's)
  --weight-bits B        1–8, or 32 for float weights (default: the preset's)
  --weight-scheme S      linear | exponential | kmeans
  --act-bits B           activation bits, 1–8 or 32
  --kwta F               fraction of channels kept per location by k-WTA layers; 1 = off
  --seed S               random seed; the same seed repeats a run exactly (default 1)
  --skip-bad             train even if some files can't be read (they are still listed)

eval options:
  --model MODEL --data DIR
  --engine int|float     int (default): the integer engine; float: the fake-quantized tfjs model
                         (also for predict)

export options:
  --format onnx          a standard ONNX model of the integer network (input "features")
  --format int           a Quench model file with only the packed integer network (smallest;
                         runs with eval and predict but can't be retrained or re-quantized)

common:
  --json                 print one JSON object on stdout instead of text
  -h, --help             show this help

Exit codes: 0 ok, 1 bad input (the message names the file), 2 usage.
`;

const OPTIONS = {
  data: { type: 'string' },
  out: { type: 'string' },
  model: { type: 'string' },
  preset: { type: 'string' },
  epochs: { type: 'string' },
  'weight-bits': { type: 'string' },
  'weight-scheme': { type: 'string' },
  'act-bits': { type: 'string' },
  kwta: { type: 'string' },
  seed: { type: 'string' },
  engine: { type: 'string' },
  format: { type: 'string' },
  'skip-bad': { type: 'boolean' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' }
} satisfies ParseArgsConfig['options'];

/** Which flags each command accepts (anything else is a usage error). */
const ALLOWED: Record<string, string[]> = {
  train: [
    'data',
    'out',
    'preset',
    'epochs',
    'weight-bits',
    'weight-scheme',
    'act-bits',
    'kwta',
    'seed',
    'skip-bad',
    'json'
  ],
  eval: ['model', 'data', 'engine', 'skip-bad', 'json'],
  predict: ['model', 'engine', 'json'],
  quantize: ['model', 'weight-bits', 'weight-scheme', 'out', 'json'],
  export: ['model', 'format', 'out', 'json']
};

type Values = {
  [K in keyof typeof OPTIONS]?: (typeof OPTIONS)[K]['type'] extends 'boolean' ? boolean : string;
};

export interface Io {
  out: (s: string) => void;
  err: (s: string) => void;
  isTTY: boolean;
  now: () => number;
}

function required(v: Values, name: keyof Values): string {
  const value = v[name];
  if (typeof value !== 'string' || value === '') throw new UsageError(`--${name} is required`);
  return value;
}

function intFlag(v: Values, name: keyof Values, lo: number, hi: number): number | undefined {
  const raw = v[name];
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < lo || n > hi) {
    throw new UsageError(
      `--${name} must be an integer from ${lo} to ${hi}, got ${JSON.stringify(raw)}`
    );
  }
  return n;
}

function bitsFlag(v: Values, name: 'weight-bits' | 'act-bits'): number | undefined {
  const b = intFlag(v, name, 1, 32);
  if (b !== undefined && b > 8 && b !== 32)
    throw new UsageError(`--${name} must be 1–8 or 32, got ${b}`);
  return b;
}

function schemeFlag(v: Values): WeightScheme | undefined {
  const s = v['weight-scheme'];
  if (s === undefined) return undefined;
  if (s !== 'linear' && s !== 'exponential' && s !== 'kmeans') {
    throw new UsageError(
      `--weight-scheme must be linear, exponential or kmeans, got ${JSON.stringify(s)}`
    );
  }
  return s;
}

function overridesFrom(v: Values): SpecOverrides {
  const o: SpecOverrides = {};
  const wb = bitsFlag(v, 'weight-bits');
  if (wb !== undefined) o.weightBits = wb;
  const ab = bitsFlag(v, 'act-bits');
  if (ab !== undefined) o.actBits = ab;
  const scheme = schemeFlag(v);
  if (scheme) o.weightScheme = scheme;
  if (v.kwta !== undefined) {
    const f = Number(v.kwta);
    if (!(f > 0 && f <= 1))
      throw new UsageError(`--kwta must be a fraction in (0, 1], got ${JSON.stringify(v.kwta)}`);
    o.kwta = f;
  }
  return o;
}

async function readBytes(path: string, what: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(path));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new InputError(
      `${path}: ${code === 'ENOENT' ? `no such ${what}` : code === 'EISDIR' ? `is a folder, not a ${what}` : `cannot be read (${code})`}`
    );
  }
}

async function loadSpec(preset: string | undefined, dataDir: string): Promise<ModelSpec> {
  if (preset && PRESET_NAMES.includes(preset)) return getPreset(preset);
  if (preset) {
    const bytes = await readBytes(preset, 'preset file');
    let json: unknown;
    try {
      json = JSON.parse(new TextDecoder().decode(bytes));
    } catch (e) {
      throw new InputError(`${preset}: not valid JSON (${(e as Error).message})`);
    }
    return validateSpec(json, preset);
  }
  // No preset: pick by what the dataset holds.
  const source = folderSource(dataDir);
  for (const cls of await source.classes()) {
    for (const f of await source.files(cls)) {
      if (/\.wav$/i.test(f)) return getPreset('audio-small');
      if (/\.(png|jpe?g)$/i.test(f)) return getPreset('vision-small');
    }
  }
  return getPreset('audio-small');
}

async function loadModel(path: string) {
  const bytes = await readBytes(path, 'model file');
  try {
    return decodeModel(bytes);
  } catch (e) {
    if (e instanceof ModelFileError || e instanceof SpecError)
      throw new InputError(`${path}: ${e.message}`);
    throw e;
  }
}

function trainLine(p: PipelineProgress): string {
  const t = p.train!;
  const base = `${t.phase === 'quantize' ? `k-means round ${t.round}, ` : ''}epoch ${t.epoch}/${t.epochs}`;
  const val = t.validation ? ` · validation ${(100 * t.validation.accuracy).toFixed(1)} %` : '';
  return `${base} · loss ${t.loss.toFixed(3)} · acc ${(100 * t.accuracy).toFixed(1)} %${val} · ${t.samplesPerSecond.toFixed(0)} samples/s`;
}

async function cmdTrain(v: Values, io: Io): Promise<number> {
  const data = resolve(required(v, 'data'));
  const out = resolve(required(v, 'out'));
  const overrides = overridesFrom(v);
  const epochs = intFlag(v, 'epochs', 1, 1000);
  const seed = intFlag(v, 'seed', 0, 2 ** 31 - 1) ?? 1;
  const spec = applyOverrides(await loadSpec(v.preset, data), overrides);
  await initTrainingBackend({ backend: 'wasm' });
  const bar = new Progress(io);
  const started = io.now();
  const r = await trainOnDataset(folderSource(data), spec, {
    epochs,
    seed,
    skipBad: v['skip-bad'] ?? false,
    createdAt: new Date().toISOString(),
    onProgress: (p) => {
      if (p.stage === 'scan')
        bar.update(p.done! / Math.max(1, p.total!), `reading ${p.done}/${p.total} files`);
      else {
        const t = p.train!;
        const fraction = (t.epoch - 1 + t.batch / t.batches) / t.epochs;
        bar.update(fraction, trainLine(p), t.etaSeconds);
        if (t.validation) bar.log(trainLine(p));
      }
    }
  });
  bar.done();
  for (const pr of r.problems) io.err(`skipped ${pr.file}: ${pr.reason}`);
  const bytes = encodeModel(r.contents);
  await writeFileAtomic(out, bytes);
  const seconds = (io.now() - started) / 1000;
  const summary = {
    model: out,
    preset: spec.name,
    labels: r.contents.labels,
    counts: r.counts,
    examples: r.examples,
    validationAccuracy: r.result.validationAccuracy,
    epochs: r.result.history.length,
    samplesPerSecond: r.result.samplesPerSecond,
    seconds,
    bytes: bytes.length,
    skipped: r.problems
  };
  if (v.json) io.out(JSON.stringify(summary));
  else {
    io.out(
      `trained ${spec.name} on ${r.examples} examples of ${r.contents.labels.length} classes in ${seconds.toFixed(1)} s`
    );
    io.out(
      `validation accuracy ${(100 * r.result.validationAccuracy).toFixed(2)} % · wrote ${out} (${bytes.length} bytes)`
    );
  }
  return 0;
}

async function cmdEval(v: Values, io: Io): Promise<number> {
  const modelPath = resolve(required(v, 'model'));
  const data = resolve(required(v, 'data'));
  const engine = v.engine ?? 'int';
  if (engine !== 'int' && engine !== 'float') {
    throw new UsageError(`--engine must be int or float, got ${JSON.stringify(engine)}`);
  }
  const contents = await loadModel(modelPath);
  await initTrainingBackend({ backend: 'wasm' });
  const bar = new Progress(io);
  const { examples, problems } = await examplesForModel(folderSource(data), contents, {
    skipBad: v['skip-bad'] ?? false,
    onProgress: (p) =>
      bar.update(p.done! / Math.max(1, p.total!), `reading ${p.done}/${p.total} files`)
  });
  bar.done();
  const started = io.now();
  let ev: Evaluation;
  let summaries: LayerSummary[] | undefined;
  let model: IntModel | undefined;
  if (engine === 'int') {
    model = intModelOf(contents, modelPath);
    const r = evaluateInt(model, examples);
    ev = r.evaluation;
    summaries = r.layers;
  } else {
    ev = evaluateContents(contents, examples);
  }
  const latencyMs = (io.now() - started) / examples.count;
  let layers: Record<string, unknown>[] | undefined;
  let energy: Record<string, unknown> | undefined;
  if (model && summaries) {
    const sparsity = sparsityReport(model, summaries, contents);
    const e = estimateEnergy(model, summaries);
    layers = summaries.map((l, i) => ({
      name: l.name,
      op: l.op,
      bits: l.bits,
      density: l.density,
      deadFilters: sparsity[i].deadNeverActive?.length ?? 0,
      deadFiltersSmallGamma: sparsity[i].deadSmallGamma?.length,
      prunableFilters: sparsity[i].provablyDead?.length,
      weightZeroFraction: sparsity[i].weightZeroFraction,
      dutyCycles: l.dutyCycles,
      macs: l.macs,
      effectiveMacs: l.effectiveMacs,
      energyPj: e.layers[i].totalPj,
      energyGatedPj: e.layers[i].gatedPj,
      energyFloatDensePj: e.layers[i].floatDensePj
    }));
    const { layers: _l, ...totals } = e;
    energy = {
      ...totals,
      perSecond: 10,
      wattsAt10PerSecond: powerWatts(e.totalPj, 10),
      coinCellHoursAt10PerSecond: coinCellHours(powerWatts(e.totalPj, 10))
    };
  }
  const perClass = Object.fromEntries(contents.labels.map((l, i) => [l, ev.perClass[i]]));
  const result = {
    model: modelPath,
    engine,
    examples: examples.count,
    accuracy: ev.accuracy,
    loss: ev.loss,
    labels: contents.labels,
    perClass,
    confusion: ev.confusion,
    layers,
    energy,
    latencyMs,
    skipped: problems
  };
  if (v.json) io.out(JSON.stringify(result));
  else {
    io.out(
      `accuracy ${(100 * ev.accuracy).toFixed(2)} % on ${examples.count} examples (${latencyMs.toFixed(2)} ms each)`
    );
    const width = Math.max(...contents.labels.map((l) => l.length), 5);
    io.out(`${'class'.padEnd(width)}  recall  confusion (rows: true, columns: predicted)`);
    contents.labels.forEach((l, i) => {
      io.out(
        `${l.padEnd(width)}  ${(100 * ev.perClass[i]).toFixed(1).padStart(5)} %  ${ev.confusion[i].map((c) => String(c).padStart(4)).join(' ')}`
      );
    });
    if (layers && energy) {
      io.out('');
      io.out('layer        op       bits  density  dead  MACs (dense → executed)   energy pJ');
      for (const l of layers) {
        const macs =
          (l.macs as number) > 0
            ? `${Math.round(l.macs as number)} → ${Math.round(l.effectiveMacs as number)}`
            : '';
        io.out(
          `${String(l.name).padEnd(12)} ${String(l.op).padEnd(8)} ${String(l.bits).padStart(4)}  ${(100 * (l.density as number)).toFixed(0).padStart(5)} %  ${String(l.deadFilters).padStart(4)}  ${macs.padEnd(24)} ${(l.energyPj as number).toFixed(0).padStart(9)}`
        );
      }
      const total = energy.totalPj as number;
      const float = energy.floatDensePj as number;
      io.out(
        `energy per inference: ${(total / 1000).toFixed(1)} nJ (zeros skipped), ${((energy.gatedPj as number) / 1000).toFixed(1)} nJ (gated), float32 dense ${(float / 1000).toFixed(1)} nJ — ${(float / total).toFixed(1)}× less`
      );
      io.out(
        `at 10 inferences/s: ${((energy.wattsAt10PerSecond as number) * 1e6).toFixed(2)} µW, a CR2032 coin cell lasts ${((energy.coinCellHoursAt10PerSecond as number) / 24 / 365).toFixed(1)} years`
      );
    }
  }
  return 0;
}

async function cmdPredict(v: Values, files: string[], io: Io): Promise<number> {
  const contents = await loadModel(resolve(required(v, 'model')));
  if (files.length === 0) throw new UsageError('predict needs at least one FILE');
  const settings = featureSettings(contents.spec);
  const shape = contents.spec.input.shape as [number, number, number];
  const per = shape[0] * shape[1] * shape[2];
  const x = new Float32Array(files.length * per);
  for (const [i, file] of files.entries()) {
    const bytes = await readBytes(file, 'file');
    try {
      let features: Float32Array;
      if (settings.kind === 'logmel') {
        const audio = decodeWav(bytes);
        const mono = resample(toMono(audio), audio.sampleRate, settings.sampleRate);
        features = new LogMelFrontEnd(settings).clip(
          loudestWindow(mono, clipGeometry(settings).samples)
        );
      } else {
        features = imageFeatures(decodeImage(bytes), settings);
      }
      x.set(features, i * per);
    } catch (e) {
      if (e instanceof WavError || e instanceof FeatureError)
        throw new InputError(`${file}: ${e.message}`);
      throw e;
    }
  }
  const engine = v.engine ?? 'int';
  if (engine !== 'int' && engine !== 'float') {
    throw new UsageError(`--engine must be int or float, got ${JSON.stringify(engine)}`);
  }
  let probs: Float32Array;
  if (engine === 'int') {
    const model = intModelOf(contents, resolve(required(v, 'model')));
    probs = new Float32Array(files.length * contents.labels.length);
    files.forEach((_, i) =>
      probs.set(
        runInt(model, x.subarray(i * per, (i + 1) * per)).probabilities,
        i * contents.labels.length
      )
    );
  } else {
    await initTrainingBackend({ backend: 'wasm' });
    probs = predictContents(contents, {
      x,
      y: new Int32Array(files.length),
      count: files.length,
      shape,
      classes: contents.labels.length
    });
  }
  const k = contents.labels.length;
  const rows = files.map((file, i) => {
    const p = Array.from(probs.subarray(i * k, (i + 1) * k));
    const best = p.indexOf(Math.max(...p));
    return { file, class: contents.labels[best], probability: p[best] };
  });
  if (v.json) io.out(JSON.stringify({ predictions: rows }));
  else for (const r of rows) io.out(`${r.file}\t${r.class}\t${r.probability.toFixed(4)}`);
  return 0;
}

async function cmdQuantize(v: Values, io: Io): Promise<number> {
  const modelPath = resolve(required(v, 'model'));
  const out = resolve(required(v, 'out'));
  const weightBits = bitsFlag(v, 'weight-bits');
  const weightScheme = schemeFlag(v);
  if (weightBits === undefined) throw new UsageError('--weight-bits is required');
  if (weightScheme === undefined) throw new UsageError('--weight-scheme is required');
  const contents = await loadModel(modelPath);
  // Post-training quantization: the stored float weights stay; the spec now quantizes them with
  // the new width and scheme wherever the model is run (fake-quant network, and later the engine).
  const spec = applyOverrides(contents.spec, { weightBits, weightScheme });
  const { model: _model, int: _int, ...rest } = contents;
  const next: ModelContents = {
    ...rest,
    spec,
    metrics: { ...rest.metrics, quantizedFrom: basename(modelPath), validationAccuracy: undefined },
    createdAt: new Date().toISOString()
  };
  next.int = intModelOf(next, modelPath);
  const bytes = encodeModel(next);
  await writeFileAtomic(out, bytes);
  if (v.json) io.out(JSON.stringify({ model: out, weightBits, weightScheme, bytes: bytes.length }));
  else io.out(`wrote ${out}: ${weightBits}-bit ${weightScheme} weights (no retraining)`);
  return 0;
}

async function cmdExport(v: Values, io: Io): Promise<number> {
  const modelPath = resolve(required(v, 'model'));
  const out = resolve(required(v, 'out'));
  const format = v.format ?? 'onnx';
  if (format !== 'onnx' && format !== 'int') {
    throw new UsageError(`--format must be onnx or int, got ${JSON.stringify(format)}`);
  }
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

function intModelOf(contents: ModelContents, path: string): IntModel {
  try {
    return convertToInt(contents);
  } catch (e) {
    if (e instanceof ConvertError) {
      throw new InputError(`${path}: ${e.message} (evaluate it with --engine float)`);
    }
    throw e;
  }
}

/** Runs one CLI invocation; returns the exit code. Never throws. */
export async function main(argv: string[], io: Io): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (e) {
    io.err(`quench: ${(e as Error).message}\nRun "quench --help" for usage.`);
    return 2;
  }
  const { values, positionals } = parsed as { values: Values; positionals: string[] };
  const [command, ...rest] = positionals;
  if (values.help || command === undefined || command === 'help') {
    (command === undefined && !values.help ? io.err : io.out)(HELP);
    return command === undefined && !values.help ? 2 : 0;
  }
  try {
    const allowed = ALLOWED[command];
    if (!allowed) throw new UsageError(`unknown command ${JSON.stringify(command)}`);
    for (const k of Object.keys(values)) {
      if (!allowed.includes(k) && k !== 'help')
        throw new UsageError(`${command} does not take --${k}`);
    }
    if (command !== 'predict' && rest.length)
      throw new UsageError(`unexpected argument ${JSON.stringify(rest[0])}`);
    switch (command) {
      case 'train':
        return await cmdTrain(values, io);
      case 'eval':
        return await cmdEval(values, io);
      case 'predict':
        return await cmdPredict(values, rest, io);
      case 'quantize':
        return await cmdQuantize(values, io);
      default:
        return await cmdExport(values, io);
    }
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`quench ${command}: ${e.message}\nRun "quench --help" for usage.`);
      return 2;
    }
    const known = [InputError, DatasetError, WavError, FeatureError, ModelFileError, SpecError];
    if (known.some((k) => e instanceof k)) {
      io.err(`quench ${command}: ${(e as Error).message}`);
      return 1;
    }
    const code = (e as NodeJS.ErrnoException).code;
    if (typeof code === 'string' && code.startsWith('E')) {
      io.err(`quench ${command}: ${(e as Error).message}`);
      return 1;
    }
    io.err(`quench ${command}: internal error: ${(e as Error).stack ?? String(e)}`);
    return 1;
  }
}
