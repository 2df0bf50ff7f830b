/**
 * Atomic file writes: the bytes go to a temporary file beside the target, are flushed to disk,
 * and the temporary file is renamed over the target. A reader (or a crash) sees either the old
 * file or the new one, never half of one. Temporary names start with a dot and end in `.tmp`, so
 * dataset scans skip them.
 */
import { randomBytes } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

export function tempNameFor(target: string): string {
  return join(dirname(target), `.${basename(target)}.${randomBytes(6).toString('hex')}.tmp`);
}

export function isTempName(name: string): boolean {
  return name.startsWith('.') && name.endsWith('.tmp');
}

/** Temp files this process is writing right now: not crash leftovers, whatever their folder. */
const inFlight = new Set<string>();

/** Whether `path` is a temp file of a write still going on in this process. */
export function isWriting(path: string): boolean {
  return inFlight.has(path);
}

export async function writeFileAtomic(target: string, data: Uint8Array | string): Promise<void> {
  const temp = tempNameFor(target);
  inFlight.add(temp);
  try {
    await writeAndRename(temp, target, data);
  } finally {
    inFlight.delete(temp);
  }
}

async function writeAndRename(temp: string, target: string, data: Uint8Array | string) {
  const handle = await open(temp, 'wx');
  try {
    await handle.writeFile(data);
    await handle.sync();
  } catch (e) {
    await handle.close().catch(() => undefined);
    await rm(temp, { force: true });
    throw e;
  }
  await handle.close();
  try {
    await rename(temp, target);
  } catch (e) {
    await rm(temp, { force: true });
    throw e;
  }
}
