/**
 * A project as one file (`.quench`, like Teachable Machine's `.tm`): a zip holding
 *   quench-project.json          format, version, name, kind, classes
 *   data/<class>/<file>          every sample, as stored
 *   runs/<run>/run.json          each run's record
 *   runs/<run>/model.qnm         its model
 *   runs/<run>/clips.json        the clips its model was trained on (for "what if" runs)
 *   runs/<run>/folds/…           its cross-validation fold models (for "what if" runs)
 * The zip codec is fflate (already the PNG inflater here): pure JavaScript with no native parts,
 * maintained, fast, the same code in Node and the browser, and it reads a zip's sizes before
 * inflating, so an archive claiming more than we accept is refused unread (zip-read.ts has the
 * limits).
 *
 * Importing reads the file as the tools people re-zip with write it (zip-read.ts; a folder wrapping
 * everything is unwrapped) and checks everything before anything is kept: the manifest, every path (names that
 * can't escape their folder), every sample decodes as training will, every model file loads,
 * every run record has valid settings. The project is assembled in a hidden folder and renamed
 * into place in one step, so a failed or interrupted import leaves nothing behind.
 */
import { mkdir, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { zipSync, type Zippable } from 'fflate';
import { decodeModel } from '../../../core/model-file/model-file';
import { fewOf } from '../../../core/util/few';
import { ApiError, checkTrainSettings, type ProjectInfo, type RunInfo } from '../../shared/api';
import { writeFileAtomic } from './atomic-write';
import { checkName, MAX_NAME_LENGTH } from './names';
import type { ProjectFile, ProjectStore } from './project-store';
import { inspectSample } from './sample-check';
import { readZipEntries, ZipRefused } from './zip-read';

export const MANIFEST = 'quench-project.json';
const RUN_ID = /^[a-z0-9-]{6,64}$/;
const RUN_FILE = /^(run\.json|model\.qnm|clips\.json|folds\/(fold-\d{1,3}\.qnm|folds\.json))$/;
const STATUSES = ['running', 'done', 'cancelled', 'failed'];

interface Manifest {
  format: 'quench-project';
  version: 1;
  name: string;
  kind: 'audio' | 'vision';
  createdAt: string;
  classes: string[];
}

async function filesUnder(dir: string, rel = ''): Promise<string[]> {
  const out: string[] = [];
  let entries;
  try {
    entries = await readdir(join(dir, rel), { withFileTypes: true });
  } catch {
    return out; // absent folder: nothing to pack
  }
  for (const e of entries) {
    if (e.name.startsWith('.')) continue; // temp files and the trash
    const path = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...(await filesUnder(dir, path)));
    else if (e.isFile()) out.push(path);
  }
  return out;
}

/** The project as a .quench file. */
export async function exportProject(store: ProjectStore, id: string): Promise<Uint8Array> {
  const info = await store.get(id);
  const manifest: Manifest = {
    format: 'quench-project',
    version: 1,
    name: info.name,
    kind: info.kind,
    createdAt: info.createdAt,
    classes: info.classes.map((c) => c.name)
  };
  const tree: Zippable = {
    [MANIFEST]: new TextEncoder().encode(JSON.stringify(manifest, null, 2))
  };
  // Compressed pictures and models gain nothing from deflate; sound and JSON do.
  const level = (f: string) => (/\.(png|jpe?g|m4a|mp3|ogg|opus|webm|qnm)$/i.test(f) ? 0 : 6);
  for (const rel of await filesUnder(store.dataDir(id))) {
    tree[`data/${rel}`] = [
      new Uint8Array(await readFile(join(store.dataDir(id), rel))),
      { level: level(rel) }
    ];
  }
  for (const rel of await filesUnder(store.runsDir(id))) {
    const [run, ...rest] = rel.split('/');
    if (!RUN_ID.test(run) || !RUN_FILE.test(rest.join('/'))) continue;
    tree[`runs/${rel}`] = [
      new Uint8Array(await readFile(join(store.runsDir(id), rel))),
      { level: level(rel) }
    ];
  }
  return zipSync(tree);
}

/**
 * `name`, or when a project is already called that (letter case aside) the first free
 * "name (2)", "name (3)" …, shortened to stay within the name length: an imported copy is never
 * an indistinguishable twin.
 */
export function freeProjectName(name: string, taken: string[]): string {
  const used = new Set(taken.map((t) => t.normalize('NFC').toLowerCase()));
  if (!used.has(name.toLowerCase())) return name;
  for (let n = 2; ; n++) {
    const suffix = ` (${n})`;
    const chars = [...name];
    const base = chars
      .slice(0, MAX_NAME_LENGTH - suffix.length)
      .join('')
      .trimEnd();
    const candidate = `${base}${suffix}`;
    if (!used.has(candidate.toLowerCase())) return candidate;
  }
}

const NOT_A_PROJECT = 'this is not a project file Quench can open';

function fail(problem: string): never {
  throw new ApiError(`${NOT_A_PROJECT}: ${problem}`);
}

function parseJson(bytes: Uint8Array, what: string): unknown {
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    return fail(`${what} is not valid JSON`);
  }
}

function checkManifest(raw: unknown): Manifest {
  const m = raw as Partial<Manifest>;
  if (typeof m !== 'object' || m === null || m.format !== 'quench-project')
    fail(`${MANIFEST} does not describe a Quench project`);
  if (m.version !== 1) fail(`it was written by a newer Quench (version ${String(m.version)})`);
  if (m.kind !== 'audio' && m.kind !== 'vision') fail('the project kind is not sound or images');
  if (!Array.isArray(m.classes) || m.classes.some((c) => typeof c !== 'string'))
    fail('the class list is not valid');
  if (typeof m.createdAt !== 'string' || Number.isNaN(Date.parse(m.createdAt)))
    fail('the creation date is not valid');
  return {
    ...(m as Manifest),
    name: checkName(String(m.name), 'project name'),
    classes: m.classes!.map((c) => checkName(c, 'class name'))
  };
}

function checkRun(raw: unknown, runId: string, project: string): RunInfo {
  const r = raw as Partial<RunInfo>;
  if (typeof r !== 'object' || r === null || r.id !== runId)
    fail(`runs/${runId}/run.json does not describe run ${runId}`);
  if (!STATUSES.includes(String(r.status))) fail(`runs/${runId}: unknown status`);
  if (typeof r.startedAt !== 'string' || Number.isNaN(Date.parse(r.startedAt)))
    fail(`runs/${runId}: the start date is not valid`);
  try {
    checkTrainSettings(r.settings, `runs/${runId} settings`);
  } catch (e) {
    fail((e as Error).message);
  }
  const run = { ...(r as RunInfo), project };
  if (run.status === 'running') {
    run.status = 'failed';
    run.error = 'interrupted (the project was exported during training)';
  }
  return run;
}

/**
 * The entries of a project file re-zipped from its unpacked folder (macOS Finder's "Compress",
 * Windows' "Send to compressed folder" on the folder): everything inside one folder that holds
 * the manifest → the same entries without that folder. Other archives are returned as they are.
 */
function unwrapped(entries: Map<string, Uint8Array>): Map<string, Uint8Array> {
  if (entries.has(MANIFEST)) return entries;
  const tops = new Set([...entries.keys()].map((path) => path.split('/')[0]));
  const [top] = tops;
  if (tops.size !== 1 || !entries.has(`${top}/${MANIFEST}`)) return entries;
  return new Map([...entries].map(([path, data]) => [path.slice(top.length + 1), data]));
}

/**
 * A .quench file → a new project (a new id; the name it had). Throws ApiError naming what is
 * wrong (at most a few files) and keeps nothing when any part can't be used.
 */
export async function importProject(
  store: ProjectStore,
  fileName: string,
  bytes: Uint8Array
): Promise<ProjectInfo> {
  try {
    return await importArchive(store, fileName, bytes);
  } catch (e) {
    // A refusal names the file it is about, as every other import message does.
    if (e instanceof ApiError && e.message.startsWith(NOT_A_PROJECT)) {
      throw new ApiError(`${fileName}: ${e.message}`);
    }
    throw e;
  }
}

async function importArchive(
  store: ProjectStore,
  fileName: string,
  bytes: Uint8Array
): Promise<ProjectInfo> {
  let entries: Map<string, Uint8Array>;
  try {
    entries = readZipEntries(bytes, fileName);
  } catch (e) {
    if (e instanceof ZipRefused) fail((e as Error).message);
    return fail(`it is not a zip file (${(e as Error).message})`);
  }
  entries = unwrapped(entries);
  const manifestBytes = entries.get(MANIFEST);
  if (!manifestBytes) fail(`it has no ${MANIFEST}`);
  const manifest = checkManifest(parseJson(manifestBytes, MANIFEST));
  const id = store.newId();
  const samples: { cls: string; file: string; bytes: Uint8Array }[] = [];
  const runs = new Map<string, Map<string, Uint8Array>>();
  const strays: string[] = [];
  for (const [path, data] of entries) {
    if (path === MANIFEST) continue;
    const parts = path.split('/');
    if (parts[0] === 'data' && parts.length === 3) {
      try {
        const cls = checkName(parts[1], 'class name');
        const file = checkName(parts[2], 'sample name');
        samples.push({ cls, file, bytes: data });
      } catch (e) {
        strays.push(`${path} (${(e as Error).message})`);
      }
    } else if (parts[0] === 'runs' && RUN_ID.test(parts[1] ?? '')) {
      const rest = parts.slice(2).join('/');
      if (!RUN_FILE.test(rest)) strays.push(path);
      else {
        const run = runs.get(parts[1]) ?? new Map<string, Uint8Array>();
        run.set(rest, data);
        runs.set(parts[1], run);
      }
    } else strays.push(path);
  }
  if (strays.length) fail(`unexpected entries: ${fewOf(strays)}`);
  // Every sample must be one training can read, in a class of the manifest.
  const refused: string[] = [];
  for (const s of samples) {
    if (!manifest.classes.includes(s.cls)) {
      refused.push(`data/${s.cls}/${s.file}: not a class of the project`);
      continue;
    }
    try {
      await inspectSample(manifest.kind, s.cls, s.file, s.bytes);
    } catch (e) {
      refused.push(`data/${s.cls}/${s.file}: ${(e as Error).message}`);
    }
  }
  if (refused.length) fail(`${refused.length} file(s) can't be used: ${fewOf(refused)}`);
  const records: { run: RunInfo; files: Map<string, Uint8Array> }[] = [];
  for (const [runId, files] of runs) {
    const json = files.get('run.json');
    if (!json) fail(`runs/${runId} has no run.json`);
    const run = checkRun(parseJson(json, `runs/${runId}/run.json`), runId, id);
    for (const [name, data] of files) {
      if (!name.endsWith('.qnm')) continue;
      try {
        decodeModel(data);
      } catch (e) {
        fail(`runs/${runId}/${name}: ${(e as Error).message}`);
      }
    }
    records.push({ run, files });
  }
  // Assemble in a hidden folder, then one rename makes the project appear whole.
  const staging = join(store.root, `.importing-${id}`);
  try {
    await mkdir(join(staging, 'data'), { recursive: true });
    for (const c of manifest.classes) await mkdir(join(staging, 'data', c), { recursive: true });
    await mkdir(join(staging, 'runs'), { recursive: true });
    for (const s of samples) await writeFileAtomic(join(staging, 'data', s.cls, s.file), s.bytes);
    for (const { run, files } of records) {
      await mkdir(join(staging, 'runs', run.id, 'folds'), { recursive: true });
      for (const [name, data] of files) {
        const out = name === 'run.json' ? JSON.stringify(run, null, 2) : data;
        await writeFileAtomic(join(staging, 'runs', run.id, ...name.split('/')), out);
      }
    }
    const meta: ProjectFile = {
      version: 1,
      name: freeProjectName(
        manifest.name,
        (await store.list()).map((p) => p.name)
      ),
      kind: manifest.kind,
      createdAt: manifest.createdAt
    };
    await writeFileAtomic(join(staging, 'project.json'), JSON.stringify(meta, null, 2));
    await rename(staging, store.projectDir(id));
  } catch (e) {
    await rm(staging, { recursive: true, force: true });
    throw e;
  }
  return store.get(id);
}
