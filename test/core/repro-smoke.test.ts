/** The reproduction script end to end on tiny data (npm run repro runs it for real). */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';

test('npm run repro --smoke writes every study (one seed, tiny data), the JSON and the plot', () => {
  const out = mkdtempSync(join(tmpdir(), 'quench-repro-'));
  const r = spawnSync(
    process.execPath,
    [
      '--import',
      'tsx',
      join(import.meta.dirname, '..', 'repro', 'run.ts'),
      '--smoke',
      '--out',
      out
    ],
    { encoding: 'utf8' }
  );
  expect(r.status, r.stderr).toBe(0);
  const doc = readFileSync(join(out, 'REPRODUCTION.md'), 'utf8');
  for (const s of ['## A.', '## B.', '## C.', '## D.', '## E.', '## F.']) expect(doc).toContain(s);
  expect(doc).toMatch(/Pruning the provably dead filters keeps every prediction: holds/);
  expect(doc).toMatch(
    /\| Adam \| 0\.001 \| 32 \| [\d.]+ % \| conv0: [\d.]+ \(of 16\), conv5: [\d.]+ \(of 64\)/
  );
  expect(doc).toMatch(/\| 4 \| [\d.]+ % \| [\d.]+ % \| [\d.]+ % \| [\d.]+ % \|/);
  expect(doc).toMatch(/\*\*Claim \(§4\)[^*]+\*\* (Holds|Does not hold|Not decidable)/);
  expect(doc).toMatch(
    /At equal architecture: .+ At about equal energy \(the narrower net used \d+ %/
  );
  const json = JSON.parse(readFileSync(join(out, 'reproduction.json'), 'utf8'));
  expect(json.jobs.length).toBe(16);
  expect(json.points.length).toBeGreaterThan(10);
  expect(existsSync(join(out, 'reproduction-pareto.svg'))).toBe(true);
  rmSync(out, { recursive: true, force: true });
}, 120_000);
