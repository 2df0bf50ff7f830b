/** The bundled-base loader: a base remade while the app runs is read again, not served stale. */
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { loadBaseFile } from '../../electron/main/services/bases';

const MODELS = join(import.meta.dirname, '..', '..', 'models');
const dir = mkdtempSync(join(tmpdir(), 'quench-bases-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('a base whose model file changed is read again; an unchanged one is read once', async () => {
  const path = join(dir, 'kb.qnm');
  copyFileSync(join(MODELS, 'demo-words.qnm'), path);
  writeFileSync(join(dir, 'kb.json'), JSON.stringify({ about: 'test' }));
  const first = await loadBaseFile(path);
  expect(await loadBaseFile(path)).toBe(first);
  expect(first.contents.labels).toEqual(['background', 'no', 'yes', 'other sounds']);
  // make-base writes a new model in its place (another network, another size).
  copyFileSync(join(MODELS, 'keyword-base.qnm'), path);
  const second = await loadBaseFile(path);
  expect(second.hash).not.toBe(first.hash);
  expect(second.contents.labels.length).toBeGreaterThan(100);
});
