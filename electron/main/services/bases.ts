/**
 * The bases bundled under models/ (made by `npm run make-base`), read from disk for the CLI, the
 * training worker and the app's services: beside the sources or beside the built main bundle.
 */
import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { BaseError, decodeBase, isOtherSoundsClass, type Base } from '../../../core/data/base';
import { isBackgroundClass } from '../../../core/data/files';
import type { BaseInfo, ProjectKind } from '../../shared/api';

/** The base each kind of project starts from by default. */
export const BASE_NAMES = { audio: 'keyword-base' } as const;
export type BaseKind = keyof typeof BASE_NAMES;

/** models/ beside the sources, or beside the built bundle; undefined when neither exists. */
function modelsFolder(): string | undefined {
  const candidates = [
    resolve(import.meta.dirname, '../../../models'),
    resolve(import.meta.dirname, '../../models')
  ];
  return candidates.find((p) => existsSync(join(p, `${BASE_NAMES.audio}.qnm`)));
}

/** Path of the bundled base for `kind`, when it is installed. */
export function bundledBasePath(kind: BaseKind): string | undefined {
  const folder = modelsFolder();
  return folder && join(folder, `${BASE_NAMES[kind]}.qnm`);
}

const cache = new Map<string, Promise<Base>>();

/**
 * Reads a base from its model file and the files beside it (`<name>.json`, and for sound
 * `<name>.others.wav`). Throws BaseError naming the missing or damaged file. A base is read again
 * when its model file changed (size or time of its last write), so a base remade while the app
 * runs is the one the next run starts from.
 */
export async function loadBaseFile(path: string): Promise<Base> {
  const full = resolve(path);
  let key = full;
  try {
    const s = await stat(full);
    key = `${full}\0${s.size}\0${s.mtimeMs}`;
  } catch {
    // readBase says what is missing
  }
  let p = cache.get(key);
  if (!p) {
    for (const k of cache.keys()) if (k.startsWith(`${full}\0`)) cache.delete(k);
    p = readBase(full);
    cache.set(key, p);
    p.catch(() => cache.delete(key));
  }
  return p;
}

async function readBase(path: string): Promise<Base> {
  const name = basename(path).replace(/\.qnm$/i, '');
  const folder = dirname(path);
  const read = async (file: string): Promise<Uint8Array> => {
    try {
      return new Uint8Array(await readFile(join(folder, file)));
    } catch (e) {
      throw new BaseError(
        `${join(folder, file)}: can't be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); a base is ${name}.qnm with ${name}.json beside it`
      );
    }
  };
  const model = await read(`${name}.qnm`);
  const record = new TextDecoder().decode(await read(`${name}.json`));
  const othersPath = `${name}.others.wav`;
  const others = existsSync(join(folder, othersPath)) ? await read(othersPath) : undefined;
  return decodeBase(name, { model, record, others });
}

/** The bundled base for `kind`, or undefined when none is installed. */
export async function bundledBase(kind: BaseKind): Promise<Base | undefined> {
  const path = bundledBasePath(kind);
  return path ? loadBaseFile(path) : undefined;
}

/**
 * Where a run starts when the person said `asked` ('base', 'scratch', a base file; undefined: not
 * said) and whether they named a preset: unsaid means the base, unless a preset was named (a
 * preset is a network from scratch). The Train form and `quench train` both decide this way.
 */
export function startAsked(asked: string | undefined, presetNamed: boolean): string {
  return asked ?? (presetNamed ? 'scratch' : 'base');
}

/**
 * Why a run asked to start from the bundled base of `kind` can't: none is installed. `instead`
 * says what to do instead, in the asker's words ("use --from scratch", "start from scratch").
 */
export function missingBaseMessage(kind: ProjectKind, instead: string): string {
  return kind === 'audio'
    ? `the keyword base is not installed (models/keyword-base.qnm); make it with npm run make-base -- --kind sound, or ${instead}`
    : `there is no picture base yet; ${instead}`;
}

/** A finite number in [lo, hi] from a free-form record, else undefined. */
function numberIn(v: unknown, lo: number, hi: number): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) && v >= lo && v <= hi ? v : undefined;
}

/**
 * What the Train form shows of a base (api.ts BaseInfo): its network, classes, pack and the
 * held-out accuracy its record gives (`heldOut.accuracy` in [0, 1] over `heldOut.clips` clips,
 * as scripts/make-base.ts writes it; left out when the record lacks or garbles it).
 */
export function describeBase(base: Base, kind: ProjectKind): BaseInfo {
  const { spec, labels } = base.contents;
  const r = base.record;
  const held = (typeof r.heldOut === 'object' && r.heldOut !== null ? r.heldOut : {}) as Record<
    string,
    unknown
  >;
  const value = numberIn(held.accuracy, 0, 1);
  const clips = numberIn(held.clips, 1, Number.MAX_SAFE_INTEGER);
  return {
    kind,
    name: base.name,
    hash: base.hash,
    about:
      typeof r.about === 'string' && r.about.length <= 2000
        ? r.about
        : `${base.name}: a network Quench trained itself (npm run make-base).`,
    network: { name: spec.name, description: spec.description ?? '' },
    classes: labels.slice(),
    words: labels.filter((l) => !isBackgroundClass(l) && !isOtherSoundsClass(l)).length,
    others: { clips: base.others.clips.length, words: new Set(base.others.words).size },
    served: {
      weightBits: spec.quant.weightBits,
      weightScheme: spec.quant.weightScheme ?? 'linear',
      actBits: spec.quant.actBits,
      kwta: spec.layers.find((l) => l.type === 'kwta')?.fraction ?? 1
    },
    ...(value !== undefined && clips !== undefined
      ? {
          accuracy: {
            value,
            clips: Math.round(clips),
            about: typeof held.about === 'string' ? held.about : 'held-out clips of its corpus'
          }
        }
      : {})
  };
}
