/** Random networks through export and onnxruntime-web (the fuzz script runs many more). */
import * as ort from 'onnxruntime-web';
import { beforeAll, expect, test } from 'vitest';
import { initTrainingBackend } from '../../core/train/backend/init-backend';
import { createRng } from '../../core/util/rng';
import { onnxRoundTrip } from '../fuzz/onnx-roundtrip';

beforeAll(async () => {
  await initTrainingBackend({ backend: 'wasm' });
  ort.env.wasm.numThreads = 1;
});

test('40 random networks: exported, run by onnxruntime-web, same class as the engine', async () => {
  const rng = createRng(2026);
  const outcomes = { agreed: 0, refused: 0 };
  for (let i = 0; i < 40; i++) outcomes[await onnxRoundTrip(rng)]++;
  expect(outcomes.agreed).toBeGreaterThan(30);
}, 120_000);
