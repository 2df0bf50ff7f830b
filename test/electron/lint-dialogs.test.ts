/**
 * The lint rule that keeps window.prompt/alert/confirm out of the renderer (Electron has no
 * prompt(); the app uses in-page dialogs): it flags each form in renderer code, not elsewhere.
 */
import { ESLint } from 'eslint';
import { resolve } from 'node:path';
import { expect, test } from 'vitest';

const eslint = new ESLint({ cwd: resolve(import.meta.dirname, '..', '..') });

async function problems(code: string, file: string): Promise<string[]> {
  const [r] = await eslint.lintText(code, { filePath: file });
  return r.messages.map((m) => `${m.ruleId}: ${m.message}`);
}

test.each([
  'export const a = prompt("name?");',
  'export const a = window.confirm("sure?");',
  'alert("done");',
  'export const a = globalThis.prompt("x");'
])('renderer code %s is refused', async (code) => {
  const found = await problems(code, 'renderer/src/views/Example.ts');
  expect(found.some((m) => /in-page dialogs/.test(m))).toBe(true);
});

test('the in-page dialogs pass, and Node code is not concerned', async () => {
  expect(
    await problems(
      "import { dialogs } from '../state/dialogs.svelte';\nexport const ok = dialogs.ask({ title: 'x', confirm: 'Yes' });\n",
      'renderer/src/views/Example.ts'
    )
  ).toEqual([]);
  expect(
    await problems('export const confirm = (x: number) => x;\n', 'electron/main/x.ts')
  ).toEqual([]);
});
