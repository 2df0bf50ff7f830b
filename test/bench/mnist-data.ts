import { createRequire } from 'node:module';
import type { Examples } from '../../core/train/dataset';

const require = createRequire(import.meta.url);
const SIDE = 28;

/**
 * The `mnist` package's 10,000 digits (values in [0, 1], 863–1,127 per class) split per class in
 * file order: the last round(testFraction·n) images of each digit are the test set. With 0.2 this
 * gives exactly 8,000 training and 2,000 test images. `limitPerClass` keeps tests small.
 */
export function loadMnist(
  testFraction = 0.2,
  limitPerClass = Infinity
): { train: Examples; test: Examples } {
  const per = SIDE * SIDE;
  const train: [number, Float32Array][] = [];
  const test: [number, Float32Array][] = [];
  for (let digit = 0; digit < 10; digit++) {
    const raw = require(`mnist/src/digits/${digit}.json`).data as number[];
    const count = Math.min(Math.floor(raw.length / per), limitPerClass);
    const testCount = Math.round(testFraction * count);
    for (let i = 0; i < count; i++) {
      const img = Float32Array.from(raw.slice(i * per, (i + 1) * per));
      (i < count - testCount ? train : test).push([digit, img]);
    }
  }
  return { train: pack(train), test: pack(test) };
}

function pack(items: [number, Float32Array][]): Examples {
  const per = SIDE * SIDE;
  const x = new Float32Array(items.length * per);
  const y = new Int32Array(items.length);
  items.forEach(([label, img], i) => {
    x.set(img, i * per);
    y[i] = label;
  });
  return { x, y, count: items.length, shape: [SIDE, SIDE, 1], classes: 10 };
}
