/**
 * Saving a microphone take into a class (sample:record) and the status line saying what became of
 * it. A take holding a sound longer than a word comes back unsaved with its preview: it is saved
 * only once the person has chosen its clips there, or left out.
 */
import type { QuenchApi, RecordedTake, SampleInspection } from '../../../electron/shared/api';
import { leftOutMessage, takeMessage } from '../lib/takes';

/** Runs an API call, showing its error; undefined when it failed (app.attempt). */
type Attempt = <T>(what: () => Promise<T>) => Promise<T | undefined>;

export class TakeSaving {
  /** The take waiting for the person to choose its clips. */
  preview = $state.raw<SampleInspection | undefined>(undefined);
  private decide: ((keep: number[] | undefined) => void) | undefined;

  constructor(
    private readonly api: QuenchApi,
    private readonly attempt: Attempt
  ) {}

  /** The person's answer to the preview: the clips kept, or undefined (leave the take out). */
  answer(keep: number[] | undefined): void {
    const d = this.decide;
    this.decide = undefined;
    this.preview = undefined;
    d?.(keep);
  }

  /**
   * Saves the 16 kHz samples `x` into `className`; resolves with the status line, or undefined
   * when the API refused the take (the error is shown by `attempt`).
   */
  async save(project: string, className: string, bytes: Uint8Array, seconds: number) {
    const req = { project, className, bytes };
    let saved: RecordedTake | undefined = await this.attempt(() =>
      this.api.call('sample:record', req)
    );
    if (saved?.preview) {
      this.preview = saved.preview;
      const keep = await new Promise<number[] | undefined>((resolve) => (this.decide = resolve));
      if (!keep?.length) return leftOutMessage(className, seconds);
      saved = await this.attempt(() => this.api.call('sample:record', { ...req, keep }));
    }
    return saved && takeMessage(className, seconds, saved);
  }
}
