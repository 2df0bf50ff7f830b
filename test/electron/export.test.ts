/**
 * model:export with the front end (the export dialog's call): the demo's model as ONNX taking raw
 * 16 kHz audio, loadable by onnxruntime-web; the payload's new fields are validated.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-web';
import { afterAll, expect, test } from 'vitest';
import { ApiService } from '../../electron/main/services/api-service';
import { validateRequest } from '../../electron/shared/api';

const root = mkdtempSync(join(tmpdir(), 'quench-export-'));
const api = new ApiService(join(root, 'projects'));
afterAll(async () => {
  await api.close();
  rmSync(root, { recursive: true, force: true });
});

test('the demo exports as ONNX with raw audio in, or with features in', async () => {
  ort.env.wasm.numThreads = 1;
  const p = (await api.handle('project:demo', {})) as { id: string };
  const [run] = (await api.handle('run:list', { project: p.id })) as { id: string }[];
  const raw = (await api.handle('model:export', {
    project: p.id,
    run: run.id,
    format: 'onnx',
    input: 'raw'
  })) as Uint8Array;
  const session = await ort.InferenceSession.create(raw);
  expect(session.inputNames).toEqual(['audio']);
  const out = await session.run({
    audio: new ort.Tensor('float32', new Float32Array(16000), [1, 16000])
  });
  expect((out.probabilities.data as Float32Array).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
  await session.release();
  const features = (await api.handle('model:export', {
    project: p.id,
    run: run.id,
    format: 'onnx'
  })) as Uint8Array;
  const s2 = await ort.InferenceSession.create(features);
  expect(s2.inputNames).toEqual(['features']);
  await s2.release();
});

test.each([
  [{ input: 'pixels' }, /input must be one of features, raw/],
  [{ input: 'raw', width: 0 }, /width must be an integer from 1 to 4096/],
  [{ input: 'raw', height: 1.5 }, /height must be an integer/]
])('model:export %j is refused', (extra, why) => {
  expect(() =>
    validateRequest('model:export', { project: 'p', run: 'r', format: 'onnx', ...extra })
  ).toThrow(why);
});
