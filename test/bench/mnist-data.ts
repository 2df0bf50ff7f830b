import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
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

export const FASHION_DIR = '/usr/share/datasets/fashion-mnist';
export const FASHION_LABELS = [
  't-shirt',
  'trouser',
  'pullover',
  'dress',
  'coat',
  'sandal',
  'shirt',
  'sneaker',
  'bag',
  'ankle-boot'
];

/** Reads an IDX file (gzip or plain): images [n, 28, 28] → [0, 1] floats, or labels [n]. */
function readIdx(path: string): { dims: number[]; data: Uint8Array } {
  let bytes = new Uint8Array(readFileSync(path));
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) bytes = new Uint8Array(gunzipSync(bytes));
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint16(0) !== 0 || bytes[2] !== 0x08)
    throw new Error(`${path}: not an unsigned-byte IDX file`);
  const rank = bytes[3];
  const dims = Array.from({ length: rank }, (_, i) => view.getUint32(4 + 4 * i));
  const start = 4 + 4 * rank;
  const size = dims.reduce((a, b) => a * b, 1);
  if (bytes.length < start + size) throw new Error(`${path}: truncated`);
  return { dims, data: bytes.subarray(start, start + size) };
}

/** Debian's dataset-fashion-mnist: the standard 60,000 / 10,000 split. */
export function loadFashionMnist(
  limitTrain = Infinity,
  limitTest = Infinity
): { train: Examples; test: Examples } {
  const part = (prefix: string, limit: number): Examples => {
    const images = readIdx(join(FASHION_DIR, `${prefix}-images-idx3-ubyte.gz`));
    const labels = readIdx(join(FASHION_DIR, `${prefix}-labels-idx1-ubyte.gz`));
    const n = Math.min(images.dims[0], labels.dims[0], limit);
    const per = SIDE * SIDE;
    const x = Float32Array.from(images.data.subarray(0, n * per), (v) => v / 255);
    const y = Int32Array.from(labels.data.subarray(0, n));
    return { x, y, count: n, shape: [SIDE, SIDE, 1], classes: 10 };
  };
  return { train: part('train', limitTrain), test: part('t10k', limitTest) };
}
