/**
 * The Quench model file: one self-describing binary holding everything needed to run or retrain a
 * model — the spec (with the feature settings used in training), the class labels, the network's
 * tensors, its running statistics (quantizer ranges, k-WTA duty cycles) and training metrics.
 *
 * Layout (little-endian):
 *   0  "QNCHMODL"                      8-byte magic
 *   8  u32 format version (1)
 *  12  u32 header length H
 *  16  header: UTF-8 JSON (H bytes), then zero padding to a multiple of 8
 *   …  tensor data: each tensor's bytes at header.tensors[i].offset (relative to the data start)
 *  end u32 CRC-32 of everything before it
 *
 * Loading checks the magic, version, CRC, every size and shape against the spec before anything
 * is used, and fails with a ModelFileError that says what is wrong.
 */
import type { IntModel } from '../engine/int-model';
import { validateSpec } from '../spec/validate-spec';
import { ModelFileError } from './errors';
import { intModelFromStored, intModelToStored } from './int-io';
import type { ModelSpec } from '../spec/model-spec';
import { resolveSpec, type ResolvedModel } from '../spec/resolve';

export const MODEL_MAGIC = 'QNCHMODL';
export const MODEL_FORMAT_VERSION = 1;
export const MAX_MODEL_BYTES = 64 * 1024 * 1024;
const MAX_HEADER_BYTES = 4 * 1024 * 1024;

export { ModelFileError };

export type TensorDtype = 'float32' | 'float64' | 'int32' | 'uint8' | 'int8';

export interface StoredTensor {
  name: string;
  dtype: TensorDtype;
  shape: number[];
  data: Float32Array | Float64Array | Int32Array | Uint8Array | Int8Array;
}

export interface TrainingMetrics {
  validationAccuracy?: number;
  testAccuracy?: number;
  epochs?: number;
  samplesPerSecond?: number;
  seconds?: number;
  seed?: number;
  /** Anything else a producer wants to record (numbers and strings only). */
  [key: string]: number | string | undefined;
}

export interface ModelStats {
  inputRange?: [number, number];
  actMax: Record<string, number>;
  dutyCycles: Record<string, number[]>;
}

/**
 * Suggested detection settings for the live path (core/live/detector.ts), stored with the model so
 * that Live and `quench stream` start from them: chosen from the accuracy estimate's held-out
 * clips after training, or by calibrating on a labelled recording (core/live/calibrate.ts).
 */
export interface DetectionCalibration {
  /** Per class (label order): the averaged probability a detection needs, in [0, 1]; 1 = off. */
  thresholds: number[];
  /** Windows averaged before judging, 1 (none) to {@link MAX_STORED_AVERAGE}. */
  average: number;
  /** One line saying what the settings were chosen from, for people ("chosen from …"). */
  basis: string;
}

/** The most windows a stored setting may average (the live path's own limit). */
export const MAX_STORED_AVERAGE = 20;
/** The longest `basis` line a model file may carry, characters. */
const MAX_BASIS_CHARS = 1000;

export interface ModelContents {
  spec: ModelSpec;
  labels: string[];
  tensors: StoredTensor[];
  stats: ModelStats;
  metrics: TrainingMetrics;
  createdAt: string;
  /** The integer network (absent for models the engine can't run, e.g. float weights). */
  int?: IntModel;
  /** Suggested live detection settings (absent in files written before they existed). */
  detection?: DetectionCalibration;
}

interface HeaderTensor {
  name: string;
  dtype: TensorDtype;
  shape: number[];
  offset: number;
  byteLength: number;
}

interface Header {
  format: 'quench-model';
  version: number;
  spec: ModelSpec;
  labels: string[];
  stats: ModelStats;
  metrics: TrainingMetrics;
  createdAt: string;
  tensors: HeaderTensor[];
  /** Description of the integer network; its arrays are the `int/…` tensors. */
  int?: unknown;
  /** False for a deployment file that carries only the integer network. */
  floatWeights: boolean;
  detection?: DetectionCalibration;
}

const BYTES: Record<TensorDtype, number> = { float32: 4, float64: 8, int32: 4, uint8: 1, int8: 1 };

let crcTable: Uint32Array | undefined;

/** CRC-32 (IEEE 802.3), as zip and PNG use. */
export function crc32(bytes: Uint8Array): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = crcTable[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

const align8 = (n: number): number => (n + 7) & ~7;

/**
 * Serialises model contents. With `includeFloat: false` the float training weights are left out:
 * the file then holds only the integer network (for deployment; it can't be retrained).
 */
export function encodeModel(
  contents: ModelContents,
  options: { includeFloat?: boolean } = {}
): Uint8Array {
  const includeFloat = options.includeFloat ?? true;
  if (!includeFloat && !contents.int)
    throw new ModelFileError('a file without float weights needs the integer network');
  const stored = contents.int ? intModelToStored(contents.int) : undefined;
  const all = [...(includeFloat ? contents.tensors : []), ...(stored?.tensors ?? [])];
  let offset = 0;
  const tensors: HeaderTensor[] = all.map((t) => {
    const size = t.shape.reduce((a, b) => a * b, 1);
    if (t.data.length !== size) {
      throw new ModelFileError(`tensor ${t.name}: ${t.data.length} values for shape [${t.shape}]`);
    }
    const entry = {
      name: t.name,
      dtype: t.dtype,
      shape: t.shape,
      offset,
      byteLength: size * BYTES[t.dtype]
    };
    offset = align8(offset + entry.byteLength);
    return entry;
  });
  const header: Header = {
    format: 'quench-model',
    version: MODEL_FORMAT_VERSION,
    spec: contents.spec,
    labels: contents.labels,
    stats: contents.stats,
    metrics: contents.metrics,
    createdAt: contents.createdAt,
    tensors,
    int: stored?.meta,
    floatWeights: includeFloat,
    ...(contents.detection && { detection: contents.detection })
  };
  const json = new TextEncoder().encode(JSON.stringify(header));
  const dataStart = align8(16 + json.length);
  const out = new Uint8Array(dataStart + offset + 4);
  const view = new DataView(out.buffer);
  for (let i = 0; i < 8; i++) out[i] = MODEL_MAGIC.charCodeAt(i);
  view.setUint32(8, MODEL_FORMAT_VERSION, true);
  view.setUint32(12, json.length, true);
  out.set(json, 16);
  all.forEach((t, i) => {
    const src = new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
    out.set(src, dataStart + tensors[i].offset);
  });
  view.setUint32(out.length - 4, crc32(out.subarray(0, out.length - 4)), true);
  return out;
}

function fail(message: string): never {
  throw new ModelFileError(message);
}

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Parses and validates a model file. Throws ModelFileError on anything malformed. */
export function decodeModel(bytes: Uint8Array): ModelContents & { model: ResolvedModel } {
  if (bytes.length > MAX_MODEL_BYTES)
    fail(`the file is ${bytes.length} bytes; at most ${MAX_MODEL_BYTES} are read`);
  if (bytes.length < 20) fail(`the file is ${bytes.length} bytes, too short for a Quench model`);
  const magic = String.fromCharCode(...bytes.subarray(0, 8));
  if (magic !== MODEL_MAGIC) fail('not a Quench model file (wrong magic bytes)');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(8, true);
  if (version !== MODEL_FORMAT_VERSION) {
    fail(
      `model format version ${version} is not supported (this Quench reads version ${MODEL_FORMAT_VERSION})`
    );
  }
  const stored = view.getUint32(bytes.length - 4, true);
  if (crc32(bytes.subarray(0, bytes.length - 4)) !== stored) {
    fail('the file is damaged (checksum mismatch): it was truncated or altered');
  }
  const headerLength = view.getUint32(12, true);
  if (headerLength > MAX_HEADER_BYTES || 16 + headerLength > bytes.length - 4) {
    fail(`the header length ${headerLength} does not fit in the file`);
  }
  let header: unknown;
  try {
    header = JSON.parse(
      new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(16, 16 + headerLength))
    );
  } catch (e) {
    fail(`the header is not valid JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (!isObj(header) || header.format !== 'quench-model')
    fail('the header does not describe a Quench model');
  let spec: ModelSpec;
  try {
    spec = validateSpec(header.spec, 'model file');
  } catch (e) {
    fail(`the model's spec is invalid: ${e instanceof Error ? e.message : String(e)}`);
  }
  const labels = header.labels;
  if (
    !Array.isArray(labels) ||
    labels.length < 2 ||
    labels.some((l) => typeof l !== 'string' || l.length === 0)
  ) {
    fail('labels must be a list of at least two non-empty names');
  }
  if (new Set(labels).size !== labels.length) fail('labels must be distinct');
  let model: ResolvedModel;
  try {
    model = resolveSpec(spec, labels.length);
  } catch (e) {
    fail(`the model's spec does not resolve: ${e instanceof Error ? e.message : String(e)}`);
  }
  const dataStart = align8(16 + headerLength);
  const dataEnd = bytes.length - 4;
  if (!Array.isArray(header.tensors)) fail('the header has no tensor list');
  const tensors: StoredTensor[] = (header.tensors as unknown[]).map((t, i) => {
    if (!isObj(t)) fail(`tensor ${i} is not an object`);
    const { name, dtype, shape, offset, byteLength } = t as Record<string, unknown>;
    if (typeof name !== 'string') fail(`tensor ${i} has no name`);
    if (typeof dtype !== 'string' || !(dtype in BYTES))
      fail(`tensor ${name}: unknown dtype ${String(dtype)}`);
    if (!Array.isArray(shape) || shape.some((d) => !Number.isInteger(d) || d < 0 || d > 1 << 24)) {
      fail(`tensor ${name}: invalid shape`);
    }
    const size = (shape as number[]).reduce((a, b) => a * b, 1);
    const bytesPer = BYTES[dtype as TensorDtype];
    if (byteLength !== size * bytesPer)
      fail(`tensor ${name}: ${String(byteLength)} bytes for shape [${shape.join(',')}]`);
    if (!Number.isInteger(offset) || (offset as number) < 0 || (offset as number) % 8 !== 0) {
      fail(`tensor ${name}: invalid offset ${String(offset)}`);
    }
    const start = dataStart + (offset as number);
    if (start + (byteLength as number) > dataEnd)
      fail(`tensor ${name} runs past the end of the file`);
    const copy = bytes.slice(start, start + (byteLength as number));
    const data =
      dtype === 'float64'
        ? new Float64Array(copy.buffer)
        : dtype === 'float32'
          ? new Float32Array(copy.buffer)
          : dtype === 'int32'
            ? new Int32Array(copy.buffer)
            : dtype === 'int8'
              ? new Int8Array(copy.buffer)
              : copy;
    if (
      (dtype === 'float32' || dtype === 'float64') &&
      (data as Float32Array).some((v) => !Number.isFinite(v))
    ) {
      fail(`tensor ${name} holds a value that is not a finite number`);
    }
    return { name, dtype: dtype as TensorDtype, shape: shape as number[], data };
  });
  const stats = checkStats(header.stats);
  const metrics = isObj(header.metrics) ? (header.metrics as TrainingMetrics) : {};
  const createdAt = typeof header.createdAt === 'string' ? header.createdAt : '';
  const intTensors = new Map(
    tensors.filter((t) => t.name.startsWith('int/')).map((t) => [t.name, t])
  );
  const int = header.int === undefined ? undefined : intModelFromStored(header.int, intTensors);
  if (
    int &&
    (int.classes !== labels.length || int.input.shape.join() !== spec.input.shape.join())
  ) {
    fail('the integer network does not match the spec and labels');
  }
  const floatTensors = tensors.filter((t) => !t.name.startsWith('int/'));
  if (floatTensors.length === 0 && !int) fail('the file holds no network');
  const detection =
    header.detection === undefined ? undefined : checkDetection(header.detection, labels.length);
  return {
    spec,
    labels: labels as string[],
    tensors: floatTensors,
    stats,
    metrics,
    createdAt,
    model,
    int,
    ...(detection && { detection })
  };
}

/**
 * The stored detection settings, checked: one threshold in [0, 1] per class, a whole number of
 * windows to average from 1 to {@link MAX_STORED_AVERAGE}, and a basis line. Throws
 * ModelFileError naming the field.
 */
export function checkDetection(d: unknown, classes: number): DetectionCalibration {
  if (!isObj(d)) fail('detection must be an object with thresholds, average and basis');
  const { thresholds, average, basis } = d;
  if (!Array.isArray(thresholds) || thresholds.length !== classes)
    fail(`detection.thresholds must hold one threshold per class (${classes})`);
  thresholds.forEach((t, i) => {
    if (typeof t !== 'number' || !(t >= 0 && t <= 1))
      fail(`detection.thresholds[${i}] must be a number from 0 to 1, got ${JSON.stringify(t)}`);
  });
  if (
    !Number.isInteger(average) ||
    (average as number) < 1 ||
    (average as number) > MAX_STORED_AVERAGE
  )
    fail(
      `detection.average must be a whole number of windows from 1 to ${MAX_STORED_AVERAGE}, got ${JSON.stringify(average)}`
    );
  if (typeof basis !== 'string' || basis.length > MAX_BASIS_CHARS)
    fail(`detection.basis must be text of at most ${MAX_BASIS_CHARS} characters`);
  return { thresholds: [...(thresholds as number[])], average: average as number, basis };
}

function checkStats(s: unknown): ModelStats {
  if (!isObj(s)) fail('the header has no stats');
  const actMax: Record<string, number> = {};
  if (!isObj(s.actMax)) fail('stats.actMax is missing');
  for (const [k, v] of Object.entries(s.actMax)) {
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0)
      fail(`stats.actMax.${k} is not a valid range`);
    actMax[k] = v;
  }
  const dutyCycles: Record<string, number[]> = {};
  if (!isObj(s.dutyCycles)) fail('stats.dutyCycles is missing');
  for (const [k, v] of Object.entries(s.dutyCycles)) {
    if (!Array.isArray(v) || v.some((d) => typeof d !== 'number' || !Number.isFinite(d))) {
      fail(`stats.dutyCycles.${k} is not a list of numbers`);
    }
    dutyCycles[k] = v as number[];
  }
  let inputRange: [number, number] | undefined;
  if (s.inputRange !== undefined) {
    const r = s.inputRange;
    if (
      !Array.isArray(r) ||
      r.length !== 2 ||
      !r.every((v) => typeof v === 'number' && Number.isFinite(v)) ||
      r[0] > r[1]
    ) {
      fail('stats.inputRange must be [min, max]');
    }
    inputRange = [r[0], r[1]];
  }
  return { inputRange, actMax, dutyCycles };
}
