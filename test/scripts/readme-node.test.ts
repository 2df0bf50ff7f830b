/**
 * The README's Quick start names the Node versions the packages themselves ask for: Quench's own
 * `engines` for the CLI, browser mode and tests, and Electron's (its npm package and the
 * downloader its install step runs) for the desktop app — so an Electron upgrade that raises it
 * shows up here, not as a surprise warning from `npm ci`.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');
/** "22.12" of ">= 22.12.0" or ">=20.19": the major and minor an engines range starts at. */
const least = (path: string) => {
  const range = (JSON.parse(read(path)) as { engines: { node: string } }).engines.node;
  const m = /^>=\s*(\d+)\.(\d+)(?:\.\d+)?$/.exec(range);
  if (!m) throw new Error(`${path}: engines.node "${range}" is not a plain ">= x.y" range`);
  return `${m[1]}.${m[2]}`;
};

test('the Quick start gives Quench’s and Electron’s own minimum Node versions, each for what needs it', () => {
  const readme = read('README.md').replace(/\s+/g, ' ');
  const quench = least('package.json');
  const electron = least('node_modules/electron/package.json');
  expect(least('node_modules/@electron/get/package.json')).toBe(electron);
  expect(readme).toContain(
    `Which Node: **${quench} or newer** runs the CLI (\`npx quench …\`), the browser mode (\`npm run web\`) and the tests`
  );
  expect(readme).toContain(`**The desktop app needs Node ${electron} or newer**`);
  expect(readme).toContain(`ask for Node >= ${electron}.0 in their package.json \`engines\``);
});
