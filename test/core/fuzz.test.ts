/** A small run of the fuzzers (npm run fuzz runs ≥ 10,000 cases each). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { decodeModel } from '../../core/model-file/model-file';
import { makeFormatFuzzers, makeFuzzers, runFuzzer } from '../fuzz/fuzzers';
import { makeSeeds } from '../fuzz/seeds';

const model = decodeModel(
  new Uint8Array(readFileSync(join(import.meta.dirname, '..', '..', 'models', 'demo-words.qnm')))
);

describe('fuzzing (300 cases per parser)', () => {
  for (const f of [...makeFuzzers(model), ...makeFormatFuzzers(makeSeeds())]) {
    test(`${f.name}: only clear errors, no slow case`, async () => {
      const r = await runFuzzer(f, 300, 42);
      expect(r.slowestMs).toBeLessThan(2000);
    });
  }
});
