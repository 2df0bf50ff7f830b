/**
 * Adding files a person picked or dropped to a class, with nothing lost silently: every file that
 * isn't added is listed with its reason (the server's words, or "empty" for 0-byte files), every
 * added one is counted and keeps its name, a file added with a warning (read up to where it ends,
 * channels that cancel) is listed apart from those not added, and a long take in a word class (or
 * one holding a word cut by its start or end) waits for the person to choose its clips.
 */
import type { ImportedFile, RefusedFile, SampleInspection } from '../../../electron/shared/api';
import type { QuenchApi } from '../../../electron/shared/api';
import { FILE_LIMITS, overLimitText } from '../../../electron/shared/sizes';
import { count } from '../lib/format';

export interface PickedFile {
  name: string;
  size: number;
  arrayBuffer(): Promise<ArrayBuffer>;
}

/** A line about one file. */
export interface FileNote {
  name: string;
  note: string;
}

/** What one call of {@link FileImport.add} did. */
export interface ImportOutcome {
  className: string;
  added: number;
  clips: number;
  refused: number;
  /** The files were pictures (an image project): each is one example, no clips to count. */
  pictures?: boolean;
}

function reason(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** "16 files (16 clips)", or "10 pictures". */
function addedCount(files: number, clips: number, pictures: boolean | undefined): string {
  return pictures ? count(files, 'picture') : `${count(files, 'file')} (${count(clips, 'clip')})`;
}

/** "Added 16 files (16 clips) to “stop”; 2 not added." ("Added 10 pictures …" for images). */
export function outcomeText(o: ImportOutcome): string {
  const head = o.added
    ? `Added ${addedCount(o.added, o.clips, o.pictures)} to “${o.className}”`
    : `Nothing added to “${o.className}”`;
  return `${head}${o.refused ? `; ${count(o.refused, 'file')} not added (listed below)` : ''}.`;
}

/**
 * What to say about the clips of a file added ('' when it is one clip): “3 clips saved as “take
 * 1.wav”, “take 2.wav”, “take 3.wav”; 21 left out” for a long take saved as its clips, “24 clips”
 * for a file kept whole that training cuts.
 */
export function clipsNote(added: ImportedFile): string {
  const names = added.savedAs;
  if (!names) return added.clips > 1 ? count(added.clips, 'clip') : '';
  const shown =
    names.length > 3 ? `“${names[0]}” … “${names.at(-1)}”` : names.map((n) => `“${n}”`).join(', ');
  return `${count(added.clips, 'clip')} saved as ${shown}${added.leftOut ? `; ${added.leftOut} left out` : ''}`;
}

export class FileImport {
  /** Files not added, with reasons; kept until dismissed, across imports. */
  refused = $state.raw<RefusedFile[]>([]);
  /** Files added but read with a warning (ended early, channels cancel …). */
  warnings = $state.raw<FileNote[]>([]);
  /** What else a person would want to know about added files ("24 clips", "saved as …"). */
  notes = $state.raw<FileNote[]>([]);
  /** Files added per class since the report was last dismissed. */
  added = $state.raw<{ className: string; files: number; clips: number; pictures?: boolean }[]>([]);
  /** The long take waiting for the person's decision. */
  preview = $state.raw<SampleInspection | undefined>(undefined);
  busy = $state(false);
  private decide: ((keep: number[] | undefined) => void) | undefined;

  constructor(private readonly api: QuenchApi) {}

  /** The person's answer to the preview shown: the clips kept, or undefined (leave it out). */
  answer(keep: number[] | undefined): void {
    const d = this.decide;
    this.decide = undefined;
    this.preview = undefined;
    d?.(keep);
  }

  dismiss(): void {
    this.refused = [];
    this.warnings = [];
    this.notes = [];
    this.added = [];
  }

  /** "16 files added to “stop” (16 clips)" per class, for the report's heading. */
  get addedText(): string {
    return this.added
      .map((a) => `${addedCount(a.files, a.clips, a.pictures)} to “${a.className}”`)
      .join(', ');
  }

  /** Adds the files to one class; resolves when each is added, refused or left out. */
  async add(
    files: Iterable<PickedFile>,
    project: string,
    className: string
  ): Promise<ImportOutcome> {
    const outcome: ImportOutcome = { className, added: 0, clips: 0, refused: 0 };
    this.busy = true;
    try {
      for (const f of files) {
        const added = await this.one(f, project, className);
        if (added === undefined) outcome.refused++;
        else {
          [outcome.added, outcome.clips] = [outcome.added + 1, outcome.clips + added.clips];
          if (added.pictures) outcome.pictures = true;
        }
      }
    } finally {
      this.busy = false;
    }
    if (outcome.added) {
      const mine = this.added.find((a) => a.className === className);
      this.added = mine
        ? this.added.map((a) =>
            a === mine
              ? { ...a, files: a.files + outcome.added, clips: a.clips + outcome.clips }
              : a
          )
        : [
            ...this.added,
            {
              className,
              files: outcome.added,
              clips: outcome.clips,
              ...(outcome.pictures ? { pictures: true } : {})
            }
          ];
    }
    return outcome;
  }

  private refuse(name: string, why: string): undefined {
    this.refused = [...this.refused, { name, reason: why }];
    return undefined;
  }

  /** Adds one file: the clips it gave, or undefined when it was not added. */
  private async one(
    f: PickedFile,
    project: string,
    className: string
  ): Promise<{ clips: number; pictures: boolean } | undefined> {
    if (f.size === 0) return this.refuse(f.name, 'the file is empty (0 bytes)');
    // Refused unread: a file over the limit is never loaded into memory or sent.
    const limit = FILE_LIMITS.sample;
    if (f.size > limit.bytes)
      return this.refuse(f.name, overLimitText(f.size, limit.bytes, limit.what));
    try {
      const bytes = new Uint8Array(await f.arrayBuffer());
      const req = { project, className, name: f.name, bytes };
      const seen = await this.api.call('sample:inspect', req);
      let keep: number[] | undefined;
      const cut = seen.clips.some((c) => c.cut);
      if (seen.kind === 'audio' && !seen.background && (seen.clips.length > 1 || cut)) {
        this.preview = seen;
        keep = await new Promise<number[] | undefined>((resolve) => (this.decide = resolve));
        if (!keep?.length) return this.refuse(f.name, 'left out after the preview');
      }
      const added = await this.api.call('sample:import', keep ? { ...req, keep } : req);
      const notes = [clipsNote(added)].filter(Boolean);
      if (!added.savedAs && added.name !== f.name) notes.push(`saved as "${added.name}"`);
      if (notes.length)
        this.notes = [...this.notes, ...notes.map((note) => ({ name: f.name, note }))];
      if (added.warnings.length) {
        this.warnings = [
          ...this.warnings,
          ...added.warnings.map((note) => ({ name: f.name, note }))
        ];
      }
      return { clips: added.clips, pictures: seen.kind === 'vision' };
    } catch (e) {
      return this.refuse(f.name, reason(e));
    }
  }
}
