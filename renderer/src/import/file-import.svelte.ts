/**
 * Adding files a person picked or dropped to a class, with nothing lost silently: every file that
 * isn't added is listed with its reason (the server's words, or "empty" for 0-byte files), every
 * added one keeps its name, and a long take in a word class waits for the person to see its cut
 * points before it is saved.
 */
import type { RefusedFile, SampleInspection } from '../../../electron/shared/api';
import type { QuenchApi } from '../../../electron/shared/api';

export interface PickedFile {
  name: string;
  size: number;
  arrayBuffer(): Promise<ArrayBuffer>;
}

function reason(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export class FileImport {
  /** Files not added, with reasons; kept until dismissed, across imports. */
  refused = $state.raw<RefusedFile[]>([]);
  notes = $state.raw<{ name: string; note: string }[]>([]);
  /** The long take waiting for the person's decision. */
  preview = $state.raw<SampleInspection | undefined>(undefined);
  busy = $state(false);
  private decide: ((save: boolean) => void) | undefined;

  constructor(private readonly api: QuenchApi) {}

  /** The person's answer to the preview shown. */
  answer(save: boolean): void {
    const d = this.decide;
    this.decide = undefined;
    this.preview = undefined;
    d?.(save);
  }

  dismiss(): void {
    this.refused = [];
    this.notes = [];
  }

  /** Adds the files to one class; resolves when each is added, refused or left out. */
  async add(files: Iterable<PickedFile>, project: string, className: string): Promise<void> {
    this.busy = true;
    try {
      for (const f of files) await this.one(f, project, className);
    } finally {
      this.busy = false;
    }
  }

  private async one(f: PickedFile, project: string, className: string): Promise<void> {
    if (f.size === 0) {
      this.refused = [...this.refused, { name: f.name, reason: 'the file is empty (0 bytes)' }];
      return;
    }
    try {
      const bytes = new Uint8Array(await f.arrayBuffer());
      const req = { project, className, name: f.name, bytes };
      const seen = await this.api.call('sample:inspect', req);
      if (seen.kind === 'audio' && !seen.background && seen.clips.length > 1) {
        this.preview = seen;
        const save = await new Promise<boolean>((resolve) => (this.decide = resolve));
        if (!save) {
          this.refused = [...this.refused, { name: f.name, reason: 'left out after the preview' }];
          return;
        }
      }
      const added = await this.api.call('sample:import', req);
      const notes = [...added.warnings];
      if (added.clips > 1) notes.unshift(`${added.clips} clips`);
      if (added.name !== f.name) notes.push(`saved as "${added.name}"`);
      if (notes.length) {
        this.notes = [...this.notes, ...notes.map((note) => ({ name: f.name, note }))];
      }
    } catch (e) {
      this.refused = [...this.refused, { name: f.name, reason: reason(e) }];
    }
  }
}
