/**
 * The energy meter's estimate for the bundled demo model on different inputs: silence, quiet
 * noise, a voiced vowel-like sound and spoken words (espeak-ng), one 1 s window each, through the
 * live path. Shows how computing and moving activations change with the input while the weights'
 * share does not. Usage: npx tsx scripts/energy-by-input.ts
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { LayerReport } from '../core/live/layer-report';
import { LivePath } from '../core/live/live-path';
import { decodeModel } from '../core/model-file/model-file';
import { resample } from '../core/features/resample';
import { decodeWav } from '../core/features/wav';
import { createRng } from '../core/util/rng';

const root = resolve(import.meta.dirname, '..');
const contents = decodeModel(new Uint8Array(readFileSync(join(root, 'models', 'demo-words.qnm'))));
const rng = createRng(5);
const second = (f: (t: number, i: number) => number) =>
  Float32Array.from({ length: 16000 }, (_, i) => f(i / 16000, i));

function spoken(word: string): Float32Array {
  const dir = mkdtempSync(join(tmpdir(), 'quench-energy-'));
  try {
    const file = join(dir, 'w.wav');
    execFileSync('espeak-ng', ['-v', 'en-us', '-w', file, word]);
    const d = decodeWav(new Uint8Array(readFileSync(file)));
    const x = resample(d.channels[0], d.sampleRate, 16000);
    const out = new Float32Array(16000);
    out.set(x.subarray(0, 16000), Math.max(0, Math.floor((16000 - x.length) / 2)));
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const inputs: [string, Float32Array][] = [
  ['silence', new Float32Array(16000)],
  ['quiet noise', second(() => 0.02 * (rng.next() - 0.5))],
  [
    'voiced 140 Hz',
    second((t) => {
      const env = t > 0.3 && t < 0.7 ? Math.sin(((t - 0.3) / 0.4) * Math.PI) : 0;
      let v = 0;
      for (let h = 1; h <= 12; h++) v += Math.sin(2 * Math.PI * 140 * h * t) / h;
      return 0.3 * env * v;
    })
  ],
  ['"yes"', spoken('yes')],
  ['"no"', spoken('no')]
];

const nJ = (pj: number) => (pj / 1000).toFixed(1);
console.log(
  '| input | total nJ | computing | moving activations | moving weights | words moved / dense |'
);
console.log('|---|---|---|---|---|---|');
for (const [name, x] of inputs) {
  const path = new LivePath(contents, { overlap: 0 });
  const [step] = path.audio(x);
  const { energy: e } = new LayerReport(path.model).report(step.result);
  console.log(
    `| ${name} | ${nJ(e.totalPj)} | ${nJ(e.computePj)} | ${nJ(e.activationMemoryPj)} | ${nJ(e.weightMemoryPj)} | ${e.activationWords} / ${e.denseActivationWords} |`
  );
}
