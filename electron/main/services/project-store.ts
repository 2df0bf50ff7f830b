/**
 * Projects on disk. A project folder is a dataset folder the CLI can train on:
 *   <root>/<id>/project.json             name, kind, created
 *   <root>/<id>/data/<class>/<sample>     recordings and images
 *   <root>/<id>/runs/<run>/run.json      settings, status, metrics
 *   <root>/<id>/runs/<run>/model.qnm     the trained model
 * Every write is atomic (temp file + rename); temp files are dot-files that nothing lists, and
 * leftovers from a crash are removed when a project is opened. Names from users are checked so
 * they can't leave their folder.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { isBackgroundClass } from '../../../core/data/dataset';
import { decodeAudio } from '../../../core/features/audio';
import { decodeImage } from '../../../core/features/image';
import type {
  FolderKeep,
  FolderTake,
  ClassInfo,
  DemoInfo,
  ImportedFile,
  ProjectDevices,
  ImportReport,
  ProjectInfo,
  ProjectKind,
  RecordedTake,
  SampleInfo
} from '../../shared/api';
import { ApiError } from '../../shared/api';
import { isTempName, isWriting, writeFileAtomic } from './atomic-write';
import { importFolder, inspectFolder } from './folder-import';
import { checkName, decodeFileName, encodeFileName, naturalOrder, uniqueName } from './names';
import { inspectSample } from './sample-check';
import {
  displayName,
  importClips,
  recordedNames,
  moveSample,
  recordSample,
  restoreSample,
  trashSample
} from './sample-ops';

export interface ProjectFile {
  version: 1;
  name: string;
  kind: ProjectKind;
  createdAt: string;
  /** The microphone and camera picked for this project. */
  devices?: ProjectDevices;
  /** Set on the one demo project. */
  demo?: DemoInfo;
}

// Messages never show a project's internal id: the person knows it by its name.
const NO_PROJECT = 'this project no longer exists (it may have been deleted)';
const BAD_PROJECT_FILE = "the project's description file (project.json) is damaged";
const ID = /^[a-z0-9]{6,40}$/;

export class ProjectStore {
  constructor(readonly root: string) {}

  private dir(id: string): string {
    if (!ID.test(id)) throw new ApiError(NO_PROJECT);
    return join(this.root, id);
  }

  dataDir(id: string): string {
    return join(this.dir(id), 'data');
  }

  runsDir(id: string): string {
    return join(this.dir(id), 'runs');
  }

  private async readMeta(id: string): Promise<ProjectFile> {
    let raw: string;
    try {
      raw = await readFile(join(this.dir(id), 'project.json'), 'utf8');
    } catch {
      throw new ApiError(NO_PROJECT);
    }
    let meta: ProjectFile;
    try {
      meta = JSON.parse(raw) as ProjectFile;
    } catch {
      throw new ApiError(BAD_PROJECT_FILE);
    }
    if (
      meta.version !== 1 ||
      typeof meta.name !== 'string' ||
      (meta.kind !== 'audio' && meta.kind !== 'vision')
    ) {
      throw new ApiError(BAD_PROJECT_FILE);
    }
    return meta;
  }

  private async writeMeta(id: string, meta: ProjectFile): Promise<void> {
    await writeFileAtomic(join(this.dir(id), 'project.json'), JSON.stringify(meta, null, 2));
  }

  async list(): Promise<ProjectInfo[]> {
    await mkdir(this.root, { recursive: true });
    const out: ProjectInfo[] = [];
    for (const e of await readdir(this.root, { withFileTypes: true })) {
      if (!e.isDirectory() || !ID.test(e.name)) continue;
      try {
        out.push(await this.get(e.name));
      } catch {
        // A folder without a readable project.json is not a project (e.g. a half-created one).
      }
    }
    return out.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }

  async create(
    name: string,
    kind: ProjectKind,
    now = new Date(),
    extra: Pick<ProjectFile, 'demo'> = {}
  ): Promise<ProjectInfo> {
    const clean = checkName(name, 'project name');
    const id = randomBytes(8).toString('hex');
    await mkdir(join(this.dir(id), 'data'), { recursive: true });
    await mkdir(join(this.dir(id), 'runs'), { recursive: true });
    // project.json last: until it exists the folder is not listed.
    await this.writeMeta(id, {
      version: 1,
      name: clean,
      kind,
      createdAt: now.toISOString(),
      ...extra
    });
    return this.get(id);
  }

  /** A fresh project id (for a project assembled elsewhere, e.g. an imported file). */
  newId(): string {
    return randomBytes(8).toString('hex');
  }

  /** The folder of a project id (it need not exist yet). */
  projectDir(id: string): string {
    return this.dir(id);
  }

  /** The demo project, if there is one. */
  async findDemo(): Promise<ProjectInfo | undefined> {
    return (await this.list()).find((p) => p.demo);
  }

  async setDevices(id: string, devices: ProjectDevices): Promise<ProjectInfo> {
    const meta = await this.readMeta(id);
    const picked = Object.fromEntries(Object.entries(devices).filter(([, d]) => d !== undefined));
    await this.writeMeta(id, { ...meta, devices: { ...meta.devices, ...picked } });
    return this.get(id);
  }

  /** Opens a project: removes temp files a crash left behind, then describes it. */
  async get(id: string): Promise<ProjectInfo> {
    const meta = await this.readMeta(id);
    const classes: ClassInfo[] = [];
    for (const c of await this.classNames(id)) {
      const files = await this.sampleFiles(id, c, true);
      classes.push({
        name: c,
        samples: files.length,
        ...(meta.kind === 'audio' && isBackgroundClass(c) ? { background: true } : {})
      });
    }
    return {
      id,
      name: meta.name,
      kind: meta.kind,
      createdAt: meta.createdAt,
      classes: classes.sort((a, b) => naturalOrder(a.name, b.name)),
      ...(meta.devices ? { devices: meta.devices } : {}),
      ...(meta.demo ? { demo: meta.demo } : {})
    };
  }

  async rename(id: string, name: string): Promise<ProjectInfo> {
    const meta = await this.readMeta(id);
    await this.writeMeta(id, { ...meta, name: checkName(name, 'project name') });
    return this.get(id);
  }

  async delete(id: string): Promise<void> {
    await this.readMeta(id);
    // Rename first so a crash mid-delete never leaves a half-deleted project that still lists.
    const trash = join(this.root, `.deleted-${id}-${randomBytes(4).toString('hex')}`);
    await rename(this.dir(id), trash);
    await rm(trash, { recursive: true, force: true });
  }

  /** Class folder names (NFC, as stored). */
  async classNames(id: string): Promise<string[]> {
    const entries = await readdir(this.dataDir(id), { withFileTypes: true });
    return entries
      .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
      .map((e) => e.name)
      .sort();
  }

  /** Stored sample files of a class (temp files removed when `cleanup`). */
  async sampleFiles(id: string, className: string, cleanup = false): Promise<string[]> {
    const dir = join(this.dataDir(id), className);
    const entries = await readdir(dir, { withFileTypes: true });
    const files: string[] = [];
    for (const e of entries) {
      if (!e.isFile()) continue;
      if (isTempName(e.name)) {
        // A crash's leftover, unless this process is writing it now (a sample being saved while
        // the project is listed must not lose its file).
        const path = join(dir, e.name);
        if (cleanup && !isWriting(path)) await rm(path, { force: true });
        continue;
      }
      if (!e.name.startsWith('.')) files.push(e.name);
    }
    return files.sort();
  }

  async kind(id: string): Promise<ProjectKind> {
    return (await this.readMeta(id)).kind;
  }

  async classDir(id: string, className: string, mustExist = true): Promise<string> {
    await this.readMeta(id);
    const clean = checkName(className, 'class name');
    const dir = join(this.dataDir(id), clean);
    if (mustExist) {
      try {
        if (!(await stat(dir)).isDirectory()) throw new Error();
      } catch {
        throw new ApiError(`this project has no class “${clean}” (renamed or deleted?)`);
      }
    }
    return dir;
  }

  async addClass(id: string, name: string): Promise<ProjectInfo> {
    const dir = await this.classDir(id, name, false);
    const existing = await this.classNames(id);
    const clean = checkName(name, 'class name');
    if (existing.some((c) => c.toLowerCase() === clean.toLowerCase())) {
      throw new ApiError(`class ${JSON.stringify(clean)} already exists`);
    }
    await mkdir(dir);
    return this.get(id);
  }

  async renameClass(id: string, from: string, to: string): Promise<ProjectInfo> {
    const src = await this.classDir(id, from);
    const dst = await this.classDir(id, to, false);
    const clean = checkName(to, 'class name');
    const existing = await this.classNames(id);
    if (
      existing.some(
        (c) => c.toLowerCase() === clean.toLowerCase() && c !== checkName(from, 'class name')
      )
    ) {
      throw new ApiError(`class ${JSON.stringify(clean)} already exists`);
    }
    await rename(src, dst);
    return this.get(id);
  }

  async deleteClass(id: string, name: string): Promise<ProjectInfo> {
    const dir = await this.classDir(id, name);
    const trash = join(this.dataDir(id), `.deleted-${randomBytes(4).toString('hex')}`);
    await rename(dir, trash);
    await rm(trash, { recursive: true, force: true });
    return this.get(id);
  }

  /**
   * Stores a sample after checking it decodes (so a project never holds a file training would
   * refuse). Returns when the bytes are on disk: an acknowledged sample survives a crash.
   */
  async addSample(
    id: string,
    className: string,
    bytes: Uint8Array,
    format: 'wav' | 'png' | 'jpg'
  ): Promise<SampleInfo> {
    const dir = await this.classDir(id, className);
    const meta = await this.readMeta(id);
    if ((meta.kind === 'audio') !== (format === 'wav')) {
      throw new ApiError(
        `a ${meta.kind} project takes ${meta.kind === 'audio' ? 'WAV' : 'PNG or JPEG'} samples`
      );
    }
    try {
      if (format === 'wav') await decodeAudio(bytes);
      else decodeImage(bytes);
    } catch (e) {
      throw new ApiError(`the sample can't be used: ${(e as Error).message}`);
    }
    const cls = checkName(className, 'class name');
    return this.naming(dir, async () => {
      // Named like recordings: "mug 1.png", "mug 2.png" …, shown as "mug 1".
      const [file] = recordedNames(cls, await this.sampleFiles(id, cls), 1, format);
      await writeFileAtomic(join(dir, file), bytes);
      return { className: cls, file, bytes: bytes.length, name: displayName(cls, file) };
    });
  }

  /** Writes that pick a free name in a class folder, one at a time (two would pick the same). */
  private namingQueue = new Map<string, Promise<unknown>>();
  private async naming<T>(dir: string, write: () => Promise<T>): Promise<T> {
    const before = this.namingQueue.get(dir) ?? Promise.resolve();
    const mine = before.then(write, write);
    const settled = mine.catch(() => undefined);
    this.namingQueue.set(dir, settled);
    try {
      return await mine;
    } finally {
      if (this.namingQueue.get(dir) === settled) this.namingQueue.delete(dir);
    }
  }

  /** A microphone recording cut into 1 s clips named "<class> <n>" (sample-ops.ts). */
  async recordSample(
    id: string,
    className: string,
    bytes: Uint8Array,
    keep?: number[]
  ): Promise<RecordedTake> {
    const dir = await this.classDir(id, className);
    return this.naming(dir, () =>
      recordSample(this, id, checkName(className, 'class name'), bytes, keep)
    );
  }

  /** Puts a sample deleted in the last minutes back. */
  async restoreSample(id: string, className: string, file: string): Promise<SampleInfo> {
    return restoreSample(this, id, checkName(className, 'class name'), checkName(file, 'sample'));
  }

  /** Moves a sample to another class of the project. */
  async moveSample(id: string, className: string, file: string, to: string): Promise<SampleInfo> {
    const from = checkName(className, 'class name');
    const target = checkName(to, 'class name');
    const path = await this.samplePath(id, from, file);
    if (target === from) throw new ApiError(`the sample is already in "${from}"`);
    return moveSample(this, id, from, path, checkName(file, 'sample name'), target);
  }

  /** What importing a file into a class would give (its cut points), saving nothing. */
  async inspectSample(id: string, className: string, name: string, bytes: Uint8Array) {
    await this.classDir(id, className);
    return inspectSample(await this.kind(id), checkName(className, 'class name'), name, bytes);
  }

  /**
   * Stores a file a person chose, in any format Quench reads, under its own name (made valid on
   * every system and unique in the class, reversibly: SampleInfo.name gives it back), or, given
   * `keep`, as the kept clips of a long take (sample-ops.ts). Refused with the reason, and not
   * written, when it can't be used.
   */
  async importSample(
    id: string,
    className: string,
    name: string,
    bytes: Uint8Array,
    keep?: number[]
  ): Promise<ImportedFile> {
    const dir = await this.classDir(id, className);
    const cls = checkName(className, 'class name');
    if (keep) return this.naming(dir, () => importClips(this, id, cls, name, bytes, keep));
    const seen = await this.inspectSample(id, cls, name, bytes);
    const file = await this.naming(dir, async () => {
      const taken = new Set((await this.sampleFiles(id, cls)).map((f) => f.toLowerCase()));
      const free = uniqueName(encodeFileName(name), taken);
      await writeFileAtomic(join(dir, free), bytes);
      return free;
    });
    return {
      className: cls,
      name: decodeFileName(file),
      file,
      clips: seen.kind === 'audio' ? seen.clips.length : 1,
      warnings: seen.warnings
    };
  }

  /** A class's samples in natural order of their names ("yes 2" before "yes 10"). */
  async listSamples(id: string, className: string): Promise<SampleInfo[]> {
    const dir = await this.classDir(id, className);
    const files = await this.sampleFiles(id, checkName(className, 'class name'));
    const samples = await Promise.all(
      files.map(async (file) => ({
        className,
        file,
        bytes: (await stat(join(dir, file))).size,
        name: displayName(className, file)
      }))
    );
    return samples.sort((a, b) => naturalOrder(a.name, b.name));
  }

  private async samplePath(id: string, className: string, file: string): Promise<string> {
    const dir = await this.classDir(id, className);
    const clean = checkName(file, 'sample name');
    const files = await this.sampleFiles(id, checkName(className, 'class name'));
    if (!files.includes(clean))
      throw new ApiError(
        `“${displayName(className, clean)}” is no longer in the class “${className}”`
      );
    return join(dir, clean);
  }

  async readSample(id: string, className: string, file: string): Promise<Uint8Array> {
    return new Uint8Array(await readFile(await this.samplePath(id, className, file)));
  }

  /** Deletes a sample into the project's trash, from where restoreSample can put it back. */
  async deleteSample(id: string, className: string, file: string): Promise<void> {
    const path = await this.samplePath(id, className, file);
    await trashSample(
      this,
      id,
      checkName(className, 'class name'),
      path,
      checkName(file, 'sample')
    );
  }

  /**
   * Copies a dataset folder (one sub-folder per class, files at any depth) into the project, all or
   * nothing (folder-import.ts); files that can't be used are listed with the reason.
   */
  async importFolder(id: string, folder: string, keep?: FolderKeep[]): Promise<ImportReport> {
    await this.readMeta(id);
    const { imported, refused } = await importFolder(this, id, folder, keep);
    return { project: await this.get(id), imported, refused };
  }

  /** The long takes of a dataset folder with their previews, before it is imported. */
  async inspectFolder(id: string, folder: string): Promise<FolderTake[]> {
    await this.readMeta(id);
    return inspectFolder(this, id, folder);
  }
}
