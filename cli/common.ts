/** Shared pieces of the CLI: flag parsing, errors, loading specs and models. */
import { readFile } from 'node:fs/promises';
import { type ParseArgsConfig } from 'node:util';
import { ConvertError, convertToInt } from '../core/engine/convert';
import type { IntModel } from '../core/engine/int-model';
import { decodeModel, ModelFileError, type ModelContents } from '../core/model-file/model-file';
import {
  DEFAULT_PRESET,
  getPreset,
  PRESET_NAMES,
  SpecError,
  validateSpec,
  type ModelSpec,
  type SpecOverrides,
  type WeightScheme
} from '../core/spec';
import { majorityModality } from '../core/data/files';
import { folderSource } from '../electron/main/services/fs-dataset';

export class UsageError extends Error {}
/** Bad input: exit code 1. */
export class InputError extends Error {}
export const OPTIONS = {
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
  'background-class': { type: 'string' },
  from: { type: 'string' },
  'train-layers': { type: 'string' },
  json: { type: 'boolean' },
  // quench stream (issue 16)
  audio: { type: 'string' },
  labels: { type: 'string' },
  threshold: { type: 'string' },
  overlap: { type: 'string' },
  suppression: { type: 'string' },
  average: { type: 'string' },
  calibrate: { type: 'boolean' },
  'max-false-alarms-per-hour': { type: 'string' },
  write: { type: 'boolean' },
  // quench export --format onnx --input raw [--size WxH] (issue 16)
  input: { type: 'string' },
  size: { type: 'string' },
  help: { type: 'boolean', short: 'h' }
} satisfies ParseArgsConfig['options'];

/** Which flags each command accepts (anything else is a usage error). */
export type Values = {
  [K in keyof typeof OPTIONS]?: (typeof OPTIONS)[K]['type'] extends 'boolean' ? boolean : string;
};

export interface Io {
  out: (s: string) => void;
  err: (s: string) => void;
  isTTY: boolean;
  now: () => number;
}

export function required(v: Values, name: keyof Values): string {
  const value = v[name];
  if (typeof value !== 'string' || value === '') throw new UsageError(`--${name} is required`);
  return value;
}

export function intFlag(v: Values, name: keyof Values, lo: number, hi: number): number | undefined {
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

export function bitsFlag(v: Values, name: 'weight-bits' | 'act-bits'): number | undefined {
  const raw = v[name];
  if (raw === undefined) return undefined;
  const b = Number(raw);
  if (!Number.isInteger(b) || b < 1 || (b > 8 && b !== 32))
    throw new UsageError(`--${name} must be 1–8 or 32 (float), got ${JSON.stringify(raw)}`);
  return b;
}

/** A flag that takes one of a few words; undefined when it is absent. */
export function choiceFlag<T extends string>(
  v: Values,
  name: keyof Values,
  choices: readonly T[]
): T | undefined {
  const raw = v[name];
  if (raw === undefined) return undefined;
  if (!choices.includes(raw as T)) {
    const words = `${choices.slice(0, -1).join(', ')} or ${choices[choices.length - 1]}`;
    throw new UsageError(`--${name} must be ${words}, got ${JSON.stringify(raw)}`);
  }
  return raw as T;
}

export function schemeFlag(v: Values): WeightScheme | undefined {
  return choiceFlag(v, 'weight-scheme', ['linear', 'exponential', 'kmeans'] as const);
}

export function overridesFrom(v: Values): SpecOverrides {
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

export async function readBytes(path: string, what: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(path));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new InputError(
      `${path}: ${code === 'ENOENT' ? `no such ${what}` : code === 'EISDIR' ? `is a folder, not a ${what}` : `cannot be read (${code})`}`
    );
  }
}

/**
 * --background-class NAME: that class holds background noise; "none": no class does (a class
 * literally named "none" can still be chosen, since class names are checked by the scan first);
 * absent: undefined, the scan's default (background, _background_noise_ or noise).
 */
export function backgroundFlag(v: Values): string | null | undefined {
  const raw = v['background-class'];
  if (raw === undefined) return undefined;
  if (raw.trim() === '') throw new UsageError('--background-class needs a class name or "none"');
  return raw.toLowerCase() === 'none' ? null : raw;
}

/** Resolves "none" when a class really is called that. */
export async function backgroundFor(
  v: Values,
  dataDir: string
): Promise<string | null | undefined> {
  const flag = backgroundFlag(v);
  if (flag !== null) return flag;
  const classes = await folderSource(dataDir).classes();
  return classes.some((c) => c.toLowerCase() === 'none') ? v['background-class']! : null;
}

export async function loadSpec(preset: string | undefined, dataDir: string): Promise<ModelSpec> {
  // No preset: pick by what most files are (a cover picture among recordings is a stray, which
  // the scan reports, not a reason to train on pictures).
  const found = await datasetModality(dataDir);
  if (!preset) return getPreset(DEFAULT_PRESET[found.modality === 'image' ? 'vision' : 'audio']);
  let spec: ModelSpec;
  if (PRESET_NAMES.includes(preset)) spec = getPreset(preset);
  else {
    const bytes = await readBytes(preset, 'preset file');
    let json: unknown;
    try {
      json = JSON.parse(new TextDecoder().decode(bytes));
    } catch (e) {
      throw new InputError(`${preset}: not valid JSON (${(e as Error).message})`);
    }
    spec = validateSpec(json, preset);
  }
  // A preset of the other kind would list every file as not used: say what is wrong instead.
  const wants = spec.input.kind === 'image' ? 'image' : 'audio';
  const total = found.audio + found.image;
  if (total > 0 && found[wants] === 0) {
    const has = wants === 'image' ? 'sound files' : 'pictures';
    const other = wants === 'image' ? 'audio-small' : 'vision-small';
    throw new InputError(
      `${dataDir}: the preset ${spec.name} is for ${wants === 'image' ? 'pictures' : 'sound'}, but the folder holds ${has} (${total} of ${total}); leave --preset out or use --preset ${other}`
    );
  }
  return spec;
}

/** The modality most files of a dataset folder have, with the counts. */
export async function datasetModality(dataDir: string) {
  const source = folderSource(dataDir);
  const files: string[] = [];
  for (const cls of await source.classes()) files.push(...(await source.files(cls)));
  return majorityModality(files);
}

export async function loadModel(path: string) {
  const bytes = await readBytes(path, 'model file');
  try {
    return decodeModel(bytes);
  } catch (e) {
    if (e instanceof ModelFileError || e instanceof SpecError)
      throw new InputError(`${path}: ${e.message}`);
    throw e;
  }
}

export function intModelOf(contents: ModelContents, path: string): IntModel {
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
