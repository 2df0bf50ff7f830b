/**
 * Dead filters: the sparsity report finds them by both definitions of PAPERS.md §2 (never active,
 * |γ| < 1e-3) and pruning removes the provably dead ones, giving identical outputs on every test
 * input with fewer MACs and less energy.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import { convertToInt } from '../../core/engine/convert';
import { runInt } from '../../core/engine/engine';
import { evaluateInt } from '../../core/engine/evaluate-int';
import type { IntConv } from '../../core/engine/int-model';
import { pruneDeadFilters } from '../../core/engine/prune';
import { estimateEnergy } from '../../core/energy/estimate';
import type { ModelContents } from '../../core/model-file/model-file';
import { networkToContents } from '../../core/model-file/network-io';
import { sparsityReport } from '../../core/sparsify/analytics';
import { initTrainingBackend } from '../../core/train/backend/init-backend';
import { disposeNetwork } from '../../core/train/network';
import { train } from '../../core/train/trainer';
import { blobs, blobsSpec } from '../fixtures/blobs';

const SPEC = blobsSpec('prune-test', 3);

const testSet = blobs(120, 2);
let contents: ModelContents;

/** Kills filters the way L2 + Adam does: batch-norm scale to 0, offset negative. */
function kill(c: ModelContents, bn: string, channels: number[]): ModelContents {
  const tensors = c.tensors.map((t) => {
    if (t.name !== `${bn}/gamma` && t.name !== `${bn}/beta`) return t;
    const data = Float32Array.from(t.data);
    for (const ch of channels) data[ch] = t.name.endsWith('gamma') ? 0 : -1;
    return { ...t, data };
  });
  return { ...c, tensors };
}

beforeAll(async () => {
  await initTrainingBackend({ backend: 'wasm' });
  const run = await train(SPEC, blobs(240, 1), { seed: 3 });
  contents = kill(
    kill(networkToContents(run.network, SPEC, ['v', 'h', 'd'], {}, ''), 'batchnorm1', [1, 5]),
    'batchnorm6',
    [3]
  );
  disposeNetwork(run.network);
});

describe('dead filters', () => {
  test('the report finds them by |γ|, by activity and by proof', () => {
    const model = convertToInt(contents);
    const { layers } = evaluateInt(model, testSet);
    const report = sparsityReport(model, layers, contents);
    const conv0 = report.find((l) => l.name === 'conv0')!;
    expect(conv0.deadSmallGamma).toEqual([1, 5]);
    expect(conv0.provablyDead).toEqual([1, 5]);
    expect(conv0.deadNeverActive).toEqual(expect.arrayContaining([1, 5]));
    expect(report.find((l) => l.name === 'conv5')!.provablyDead).toEqual([3]);
    expect(conv0.weightZeroFraction).toBeGreaterThanOrEqual(0);
    expect(report.find((l) => l.op === 'kwta')!.dutyCycles).toHaveLength(8);
  });

  test('pruning them keeps every output identical and saves MACs and energy', () => {
    const model = convertToInt(contents);
    const { model: pruned, removed } = pruneDeadFilters(model);
    expect(removed).toEqual({ conv0: [1, 5], conv5: [3] });
    expect((pruned.ops[0] as IntConv).outShape[2]).toBe(6);
    expect((pruned.ops[3] as IntConv).inShape[2]).toBe(6);
    for (let i = 0; i < testSet.count; i++) {
      const x = testSet.x.subarray(i * 144, (i + 1) * 144);
      expect(Array.from(runInt(pruned, x).logits)).toEqual(Array.from(runInt(model, x).logits));
    }
    const before = evaluateInt(model, testSet).layers;
    const after = evaluateInt(pruned, testSet).layers;
    const macs = (ls: typeof before) => ls.reduce((a, l) => a + l.macs, 0);
    expect(macs(after)).toBeLessThan(macs(before));
    expect(estimateEnergy(pruned, after).totalPj).toBeLessThan(
      estimateEnergy(model, before).totalPj
    );
  });
});
