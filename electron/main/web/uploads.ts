/**
 * Files the browser-mode page sends by HTTP just before the WebSocket request that uses them (a
 * message carries only small bytes inline; see wire.ts): each kept in memory under a random id
 * until a request takes it, or for `keepMs`, whichever comes first.
 */
import { randomBytes } from 'node:crypto';
import { ApiError } from '../../shared/api';
import { FILE_LIMITS } from '../../shared/sizes';

/** The most one upload may hold (bytes): the largest file any request takes. */
export const MAX_UPLOAD_BYTES = Math.max(...Object.values(FILE_LIMITS).map((l) => l.bytes));
/** The most the uploads waiting to be taken may hold together (bytes). */
export const MAX_WAITING_BYTES = 2 * MAX_UPLOAD_BYTES;
/** How long an upload waits for its request (ms); the page sends the request right after it. */
export const KEEP_MS = 2 * 60_000;

export class Uploads {
  private waiting = new Map<string, { bytes: Uint8Array; timer: NodeJS.Timeout }>();
  private held = 0;

  constructor(private readonly keepMs = KEEP_MS) {}

  /** Whether `size` more bytes may wait now. */
  hasRoomFor(size: number): boolean {
    return this.held + size <= MAX_WAITING_BYTES;
  }

  /** Keeps `bytes` until taken or `keepMs` has passed; returns the id a request names it by. */
  put(bytes: Uint8Array): string {
    const id = randomBytes(16).toString('hex');
    const timer = setTimeout(() => this.drop(id), this.keepMs);
    timer.unref();
    this.waiting.set(id, { bytes, timer });
    this.held += bytes.length;
    return id;
  }

  /** The bytes uploaded under `id`, which no longer wait. Throws ApiError when there are none. */
  take = (id: string): Uint8Array => {
    const w = this.waiting.get(id);
    if (!w) {
      throw new ApiError(
        'the file sent for this request is no longer on the Quench server (a file waits 2 minutes for its request): try again'
      );
    }
    this.drop(id);
    return w.bytes;
  };

  /** Drops everything waiting (the server is closing). */
  clear(): void {
    for (const id of [...this.waiting.keys()]) this.drop(id);
  }

  private drop(id: string): void {
    const w = this.waiting.get(id);
    if (!w) return;
    clearTimeout(w.timer);
    this.waiting.delete(id);
    this.held -= w.bytes.length;
  }
}
