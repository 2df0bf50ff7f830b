// `npm start`: runs the desktop app through electron-vite — or, when the Electron binary is not
// installed (e.g. installed with ELECTRON_SKIP_BINARY_DOWNLOAD=1), says how to get it.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
let ok = false;
try {
  const dir = dirname(require.resolve('electron/package.json'));
  const rel = existsSync(join(dir, 'path.txt'))
    ? readFileSync(join(dir, 'path.txt'), 'utf8').trim()
    : '';
  ok = rel !== '' && existsSync(join(dir, 'dist', rel));
} catch {
  ok = false;
}
if (!ok) {
  console.error(
    [
      'The Electron binary is not installed, so the desktop window cannot open.',
      '',
      '  Get it:   node node_modules/electron/install.js   (needs internet access)',
      '            or reinstall without ELECTRON_SKIP_BINARY_DOWNLOAD set: npm ci',
      '  Or use the same app in your browser, no Electron needed:   npm run web',
      ''
    ].join('\n')
  );
  process.exit(1);
}
const child = spawn(
  process.execPath,
  [require.resolve('electron-vite/bin/electron-vite.js'), 'dev'],
  {
    stdio: 'inherit'
  }
);
child.on('exit', (code) => process.exit(code ?? 0));
