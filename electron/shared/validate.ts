/**
 * The checks every API payload passes before a service sees it (payloads are untrusted: the
 * renderer, a browser page or a crafted WebSocket message): one schema per method, each field
 * checked by type, size and range, with an ApiError naming the first problem.
 */
import type { Method, Req, TrainSettings } from './api';
import { FILE_LIMITS, overLimitText } from './sizes';

export class ApiError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ApiError';
  }
}

type Check = (v: unknown, field: string) => void;

const str =
  (max = 200): Check =>
  (v, f) => {
    if (typeof v !== 'string' || v.length === 0 || v.length > max) {
      throw new ApiError(`${f} must be a non-empty string of at most ${max} characters`);
    }
  };
const oneOf =
  (...values: string[]): Check =>
  (v, f) => {
    if (typeof v !== 'string' || !values.includes(v))
      throw new ApiError(`${f} must be one of ${values.join(', ')}`);
  };
/** Bytes, at least one, at most `limit.bytes` (a file of the kind `limit.what`). */
const bytes =
  (limit: { bytes: number; what: string }): Check =>
  (v, f) => {
    if (!(v instanceof Uint8Array)) throw new ApiError(`${f} must be bytes`);
    if (v.length === 0) throw new ApiError(`${f}: the file is empty (0 bytes)`);
    if (v.length > limit.bytes)
      throw new ApiError(`${f}: ${overLimitText(v.length, limit.bytes, limit.what)}`);
  };
const optional =
  (check: Check): Check =>
  (v, f) => {
    if (v !== undefined) check(v, f);
  };
const num =
  (lo: number, hi: number, integer = false): Check =>
  (v, f) => {
    if (
      typeof v !== 'number' ||
      !Number.isFinite(v) ||
      v < lo ||
      v > hi ||
      (integer && !Number.isInteger(v))
    ) {
      throw new ApiError(`${f} must be ${integer ? 'an integer' : 'a number'} from ${lo} to ${hi}`);
    }
  };
const bool: Check = (v, f) => {
  if (typeof v !== 'boolean') throw new ApiError(`${f} must be true or false`);
};

const SETTINGS: Record<keyof TrainSettings, Check> = {
  preset: optional(str(64)),
  epochs: optional(num(1, 500, true)),
  weightBits: optional((v, f) => {
    num(1, 32, true)(v, f);
    if ((v as number) > 8 && v !== 32) throw new ApiError(`${f} must be 1–8 or 32`);
  }),
  weightScheme: optional(oneOf('linear', 'exponential', 'kmeans')),
  actBits: optional((v, f) => {
    num(1, 32, true)(v, f);
    if ((v as number) > 8 && v !== 32) throw new ApiError(`${f} must be 1–8 or 32`);
  }),
  kwta: optional((v, f) => {
    num(0, 1)(v, f);
    if (v === 0) throw new ApiError(`${f} must be above 0`);
  }),
  learningRate: optional(num(1e-6, 1)),
  l2: optional(num(0, 0.1)),
  optimizer: optional(oneOf('adam', 'sgd')),
  probabilistic: optional(bool),
  iterativeRounds: optional(num(0, 20, true)),
  seed: optional(num(0, 2 ** 31 - 1, true)),
  startFrom: optional(oneOf('base', 'scratch')),
  trainLayers: optional(oneOf('head', 'top', 'all'))
};

const settings: Check = (v, f) => {
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    throw new ApiError(`${f} must be an object`);
  for (const [k, val] of Object.entries(v)) {
    const check = SETTINGS[k as keyof TrainSettings];
    if (!check) throw new ApiError(`${f}.${k} is not a training setting`);
    check(val, `${f}.${k}`);
  }
};

const id = str(64);
const name = str(100);
/** A file name as the user's system gave it: any characters but control codes and NUL. */
const fileName: Check = (v, f) => {
  str(255)(v, f);
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(v as string)) {
    throw new ApiError(`${f} must not contain control characters`);
  }
};

/** Clip indices: distinct integers from 0, at most `max` of them. */
const indices =
  (max: number): Check =>
  (v, f) => {
    if (!Array.isArray(v) || v.length > max)
      throw new ApiError(`${f} must be a list of clip numbers`);
    for (const k of v) num(0, max - 1, true)(k, `${f}[]`);
    if (new Set(v).size !== v.length) throw new ApiError(`${f} lists a clip twice`);
  };

/** The clips kept of each long take of a folder: at most 100 000 takes, each named once. */
const folderKeep: Check = (v, f) => {
  if (!Array.isArray(v) || v.length > 100_000) throw new ApiError(`${f} must be a list of takes`);
  const paths = new Set<string>();
  v.forEach((t: unknown, i) => {
    if (typeof t !== 'object' || t === null || Array.isArray(t))
      throw new ApiError(`${f}[${i}] must be an object`);
    for (const k of Object.keys(t)) {
      if (k !== 'path' && k !== 'clips') throw new ApiError(`${f}[${i}].${k} is not a take field`);
    }
    const take = t as Record<string, unknown>;
    str(4096)(take.path, `${f}[${i}].path`);
    indices(10_000)(take.clips, `${f}[${i}].clips`);
    if (paths.has(take.path as string)) throw new ApiError(`${f} lists ${take.path} twice`);
    paths.add(take.path as string);
  });
};

// ---- Issue 16b checks ----
/** 10 s of 16 kHz mono 32-bit float WAV and its header, with room to spare. */
const RECORDING = { bytes: 1024 * 1024, what: 'a recording from the microphone' };
const device: Check = (v, f) => {
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    throw new ApiError(`${f} must be an object`);
  for (const k of Object.keys(v)) {
    if (k !== 'id' && k !== 'label') throw new ApiError(`${f}.${k} is not a device field`);
  }
  const d = v as Record<string, unknown>;
  if (typeof d.id !== 'string' || d.id.length > 512) throw new ApiError(`${f}.id must be text`);
  if (typeof d.label !== 'string' || d.label.length > 512)
    throw new ApiError(`${f}.label must be text`);
};

/** Checks training settings from an untrusted source (e.g. a run in an imported project). */
export function checkTrainSettings(v: unknown, field: string): TrainSettings {
  settings(v, field);
  return v as TrainSettings;
}

const SCHEMAS: { [M in Method]: Record<string, Check> } = {
  'project:list': {},
  'project:create': { name, kind: oneOf('audio', 'vision') },
  'project:demo': {},
  'project:get': { project: id },
  'project:rename': { project: id, name },
  'project:delete': { project: id },
  'project:import': { project: id, folder: str(4096) },
  'project:inspect-folder': { project: id, folder: str(4096) },
  'project:import-folder': { project: id, folder: str(4096), keep: optional(folderKeep) },
  'class:add': { project: id, name },
  'class:rename': { project: id, from: name, to: name },
  'class:delete': { project: id, name },
  'sample:add': {
    project: id,
    className: name,
    bytes: bytes(FILE_LIMITS.sample),
    format: oneOf('wav', 'png', 'jpg')
  },
  'sample:inspect': {
    project: id,
    className: name,
    name: fileName,
    bytes: bytes(FILE_LIMITS.sample)
  },
  'sample:import': {
    project: id,
    className: name,
    name: fileName,
    bytes: bytes(FILE_LIMITS.sample),
    keep: optional(indices(10_000))
  },
  'sample:list': { project: id, className: name },
  'sample:read': { project: id, className: name, file: str(255) },
  'sample:delete': { project: id, className: name, file: str(255) },
  'train:start': { project: id, settings },
  'train:cancel': { project: id },
  'base:info': { kind: oneOf('audio', 'vision') },
  'run:list': { project: id },
  'model:load': { project: id, run: id },
  'model:export': {
    project: id,
    run: id,
    format: oneOf('onnx', 'int'),
    input: optional(oneOf('features', 'raw')),
    width: optional(num(1, 4096, true)),
    height: optional(num(1, 4096, true))
  },
  'model:delete': { project: id, run: id },
  // ---- Issue 16b ----
  'sample:record': {
    project: id,
    className: name,
    bytes: bytes(RECORDING),
    keep: optional(indices(100))
  },
  'sample:restore': { project: id, className: name, file: str(255) },
  'sample:move': { project: id, className: name, file: str(255), to: name },
  'project:devices': { project: id, mic: optional(device), camera: optional(device) },
  'project:export': { project: id },
  'project:import-file': { name: fileName, bytes: bytes(FILE_LIMITS.project) },
  'run:quantize': {
    project: id,
    run: id,
    weightBits: SETTINGS.weightBits,
    weightScheme: oneOf('linear', 'exponential', 'kmeans')
  }
};

export const METHODS = Object.keys(SCHEMAS) as Method[];

/** Checks a method name and its payload; throws ApiError naming the first problem. */
export function validateRequest(
  method: unknown,
  payload: unknown
): { method: Method; req: Req<Method> } {
  if (typeof method !== 'string' || !(method in SCHEMAS)) {
    throw new ApiError(`unknown method ${JSON.stringify(method)}`);
  }
  const schema = SCHEMAS[method as Method];
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
    throw new ApiError(`${method}: the payload must be an object`);
  }
  for (const key of Object.keys(payload)) {
    if (!(key in schema)) throw new ApiError(`${method}: unexpected field ${JSON.stringify(key)}`);
  }
  for (const [key, check] of Object.entries(schema)) {
    check((payload as Record<string, unknown>)[key], `${method}: ${key}`);
  }
  return { method: method as Method, req: payload as Req<Method> };
}
