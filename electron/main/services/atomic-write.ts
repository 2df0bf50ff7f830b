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

export async function writeFileAtomic(target: string, data: Uint8Array | string): Promise<void> {
  const temp = tempNameFor(target);
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
