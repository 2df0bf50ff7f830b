/**
 * Writes an image dataset in the folder format (DIR/train/<class>/*.png, DIR/test/<class>/*.png)
 * from the `mnist` package's digits or Debian's Fashion-MNIST.
 * Usage: tsx scripts/make-image-dataset.ts --source mnist|fashion --out DIR [--per-class N]
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { encode as encodePng } from 'fast-png';
import type { Examples } from '../core/train/dataset';
import { FASHION_LABELS, loadFashionMnist, loadMnist } from '../test/bench/mnist-data';

const { values } = parseArgs({
  options: {
    source: { type: 'string', default: 'mnist' },
    out: { type: 'string' },
    'per-class': { type: 'string' }
  }
});
if (!values.out || !['mnist', 'fashion'].includes(values.source!)) {
  console.error(
    'usage: tsx scripts/make-image-dataset.ts --source mnist|fashion --out DIR [--per-class N]'
  );
  process.exit(2);
}
const perClass = values['per-class'] ? Number(values['per-class']) : Infinity;
const out = values.out;
const fashion = values.source === 'fashion';
const { train, test } = fashion ? loadFashionMnist() : loadMnist(0.2);
const names = fashion ? FASHION_LABELS : Array.from({ length: 10 }, (_, d) => String(d));

function write(split: string, d: Examples, limit: number): number {
  const per = 28 * 28;
  const written = new Array<number>(d.classes).fill(0);
  for (const name of names) mkdirSync(join(out, split, name), { recursive: true });
  for (let i = 0; i < d.count; i++) {
    const label = d.y[i];
    if (written[label] >= limit) continue;
    const data = Uint8Array.from(d.x.subarray(i * per, (i + 1) * per), (v) => Math.round(v * 255));
    const png = encodePng({ width: 28, height: 28, data, channels: 1, depth: 8 });
    writeFileSync(join(out, split, names[label], `${split}-${i}.png`), png);
    written[label]++;
  }
  return written.reduce((a, b) => a + b, 0);
}

rmSync(out, { recursive: true, force: true });
const nTrain = write('train', train, perClass);
const nTest = write('test', test, Math.ceil(perClass / 4));
console.log(`wrote ${nTrain} training and ${nTest} test images of ${values.source} to ${out}`);
