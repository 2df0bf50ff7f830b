/** The committed WebAssembly module (core/engine/kernels/engine-wasm.ts) is built from wasm/*.ts. */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { expect, test } from 'vitest';

test('engine-wasm.ts is what scripts/build-wasm.mjs compiles from wasm/*.ts today', () => {
  const r = spawnSync(
    process.execPath,
    [join(import.meta.dirname, '..', '..', 'scripts', 'build-wasm.mjs'), '--check'],
    { encoding: 'utf8' }
  );
  expect(r.status, r.stderr + r.stdout).toBe(0);
  expect(r.stdout).toMatch(/up to date/);
}, 60_000);
