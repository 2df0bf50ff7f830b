/**
 * Images as people see them (issue 15, kinds 6 and 7), checked against ImageMagick (libpng,
 * libjpeg) on generated files:
 * - every PNG bit depth × colour type × interlace, tiny sizes, every row filter, tRNS keys and
 *   palette alpha: pixels equal to ImageMagick's within 1e-4 (its 16-bit quantum);
 * - EXIF orientation 1–8 (JPEG APP1, as exiftool writes it) and PNG eXIf: turned as
 *   `convert -auto-orient` turns them (JPEG decoders differ by rounding: mean |Δ| < 0.02);
 * - transparency composited over white (or the spec's background), so drawings on a transparent
 *   background keep their strokes;
 * - other image formats named, with the conversion command.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as jpeg from 'jpeg-js';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { decodeImage, imageFeatures } from '../../core/features/image';
import { FeatureError } from '../../core/features/logmel';
import { createRng } from '../../core/util/rng';
import { CONVERT, magickPixels, maxAbsDiff, put, read, requireTools, run } from '../fixtures/media';
import { writePng, type PngSpec } from '../fixtures/png-writer';

const dir = mkdtempSync(join(tmpdir(), 'quench-image-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const at = (name: string) => join(dir, name);
beforeAll(() => requireTools(CONVERT, 'exiftool'));

function meanAbsDiff(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += Math.abs(a[i] - b[i]);
  return s / a.length;
}

const COMBOS: [PngSpec['colorType'], PngSpec['depth'][]][] = [
  [0, [1, 2, 4, 8, 16]],
  [2, [8, 16]],
  [3, [1, 2, 4, 8]],
  [4, [8, 16]],
  [6, [8, 16]]
];
const SIZES: [number, number][] = [
  [1, 1],
  [3, 2],
  [7, 5],
  [13, 9]
];
const CHANNELS = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

/** A PNG of random content for one combination; every other case gets a tRNS chunk. */
function matrixPng(
  ct: PngSpec['colorType'],
  depth: PngSpec['depth'],
  interlace: 0 | 1,
  w: number,
  h: number,
  seed: number
) {
  const rng = createRng(seed);
  const max = 2 ** depth - 1;
  const entries = ct === 3 ? Math.max(1, Math.min(2 ** depth, 1 + rng.int(2 ** depth))) : 0;
  const samples = Array.from({ length: w * h * CHANNELS[ct] }, () =>
    ct === 3 ? rng.int(entries) : rng.int(max + 1)
  );
  const withTrns = seed % 2 === 0 && (ct === 0 || ct === 2 || ct === 3);
  const palette =
    ct === 3
      ? Array.from(
          { length: entries },
          () => [rng.int(256), rng.int(256), rng.int(256)] as [number, number, number]
        )
      : undefined;
  // The colour key is a value the image really uses, so some pixels turn transparent.
  const trns = !withTrns
    ? undefined
    : ct === 3
      ? Array.from({ length: Math.min(entries, 1 + rng.int(entries)) }, () => rng.int(256))
      : samples.slice(0, CHANNELS[ct]);
  return writePng({
    width: w,
    height: h,
    colorType: ct,
    depth,
    interlace,
    samples,
    palette,
    trns,
    filter: (r) => (r + seed) % 5
  });
}

describe('PNG: every bit depth × colour type × interlace × tiny size equals ImageMagick', () => {
  const cases: [string, PngSpec['colorType'], PngSpec['depth'], 0 | 1][] = [];
  for (const [ct, depths] of COMBOS) {
    for (const d of depths)
      for (const il of [0, 1] as const)
        cases.push([`colour type ${ct}, ${d}-bit, ${il ? 'Adam7' : 'not interlaced'}`, ct, d, il]);
  }
  test.each(cases)('%s', (_name, ct, depth, interlace) => {
    SIZES.forEach(([w, h], k) => {
      const file = put(
        at(`m-${ct}-${depth}-${interlace}-${w}x${h}.png`),
        matrixPng(ct, depth, interlace, w, h, k + depth)
      );
      const ours = decodeImage(read(file));
      const ref = magickPixels(file, { autoOrient: false });
      expect([ours.width, ours.height]).toEqual([ref.width, ref.height]);
      expect(maxAbsDiff(ours.rgb, ref.rgb)).toBeLessThanOrEqual(1e-4);
    });
  });

  test('the reported case: convert vbar.png -interlace PNG writes a 1-bit interlaced grey PNG', () => {
    run(CONVERT, [
      '-size',
      '20x10',
      'xc:white',
      '-fill',
      'black',
      '-draw',
      'rectangle 8,0 11,9',
      at('vbar.png')
    ]);
    run(CONVERT, [at('vbar.png'), '-interlace', 'PNG', at('vbar-i.png')]);
    const bytes = read(at('vbar-i.png'));
    expect([bytes[24], bytes[25], bytes[28]]).toEqual([1, 0, 1]); // 1-bit, grey, Adam7
    const ours = decodeImage(bytes);
    expect(maxAbsDiff(ours.rgb, magickPixels(at('vbar-i.png')).rgb)).toBe(0);
  });

  test('ImageMagick-written palette, grey+alpha and 16-bit files', () => {
    const make: [string, string[]][] = [
      ['p.png', ['+dither', '-colors', '5', '-type', 'Palette', '-interlace', 'PNG']],
      [
        'ga.png',
        [
          '-colorspace',
          'gray',
          '-alpha',
          'set',
          '-channel',
          'A',
          '-fx',
          'i/w',
          '+channel',
          '-type',
          'GrayscaleAlpha'
        ]
      ],
      [
        'rgba16.png',
        [
          '-alpha',
          'set',
          '-channel',
          'A',
          '-fx',
          'j/h',
          '+channel',
          '-depth',
          '16',
          '-interlace',
          'PNG'
        ]
      ]
    ];
    for (const [name, args] of make) {
      run(CONVERT, ['-seed', '3', '-size', '9x7', 'plasma:', ...args, at(name)]);
      expect(
        maxAbsDiff(decodeImage(read(at(name))).rgb, magickPixels(at(name)).rgb)
      ).toBeLessThanOrEqual(1e-4);
    }
  });
});

describe('EXIF orientation as viewers apply it', () => {
  beforeAll(() => {
    // An asymmetric picture: a dark L in the top-left corner, a grey block bottom-right.
    run(CONVERT, [
      '-size',
      '48x32',
      'xc:white',
      '-fill',
      'black',
      '-draw',
      'rectangle 4,4 10,27',
      '-draw',
      'rectangle 4,22 30,27',
      '-fill',
      'gray50',
      '-draw',
      'rectangle 36,20 44,28',
      at('l.png')
    ]);
  });

  test.each([1, 2, 3, 4, 5, 6, 7, 8])(
    'JPEG with Orientation=%i (exiftool -n) matches convert -auto-orient',
    (o) => {
      const file = at(`o${o}.jpg`);
      run(CONVERT, [at('l.png'), '-quality', '95', file]);
      run('exiftool', ['-q', '-overwrite_original', `-Orientation=${o}`, '-n', file]);
      const ours = decodeImage(read(file));
      const ref = magickPixels(file);
      expect([ours.width, ours.height]).toEqual([ref.width, ref.height]);
      expect([ours.width, ours.height]).toEqual(o >= 5 ? [32, 48] : [48, 32]);
      expect(meanAbsDiff(ours.rgb, ref.rgb)).toBeLessThan(0.02);
      if (o > 1 && o < 5) {
        // …and is not what ignoring the tag would give.
        expect(
          meanAbsDiff(ours.rgb, magickPixels(file, { autoOrient: false }).rgb)
        ).toBeGreaterThan(0.1);
      }
    }
  );

  test('the reported case: a phone photo of a vertical bar (rotated, Orientation 6) is vertical', () => {
    run(CONVERT, [at('l.png'), '-rotate', '-90', at('x.jpg')]);
    run('exiftool', ['-q', '-overwrite_original', '-Orientation=6', '-n', at('x.jpg')]);
    const ours = decodeImage(read(at('x.jpg')));
    const upright = magickPixels(at('l.png'));
    expect([ours.width, ours.height]).toEqual([48, 32]);
    expect(meanAbsDiff(ours.rgb, upright.rgb)).toBeLessThan(0.02);
  });

  test('a PNG with an eXIf orientation (exiftool writes one) is turned too', () => {
    run(CONVERT, [at('l.png'), '-rotate', '-90', at('p6.png')]);
    run('exiftool', ['-q', '-overwrite_original', '-Orientation=6', '-n', at('p6.png')]);
    expect(
      maxAbsDiff(decodeImage(read(at('p6.png'))).rgb, magickPixels(at('l.png')).rgb)
    ).toBeLessThanOrEqual(1e-4);
  });
});

describe('transparency as people see it', () => {
  const drawing = (name: string, draw: string) => {
    // Black strokes, fully transparent elsewhere: what drawing apps export.
    run(CONVERT, [
      '-size',
      '28x28',
      'xc:none',
      '-stroke',
      'black',
      '-strokewidth',
      '3',
      '-fill',
      'none',
      '-draw',
      draw,
      at(name)
    ]);
    return read(at(name));
  };

  test('two different transparent drawings give different inputs, equal to ImageMagick over white', () => {
    const a = drawing('circle.png', 'circle 14,14 14,4');
    const b = drawing('cross.png', 'line 4,4 24,24');
    const settings = { kind: 'image' as const, width: 28, height: 28, channels: 1 as const };
    const fa = imageFeatures(decodeImage(a), settings);
    const fb = imageFeatures(decodeImage(b), settings);
    expect(maxAbsDiff(fa, fb)).toBeGreaterThan(0.9);
    for (const [bytes, name] of [
      [a, 'circle.png'],
      [b, 'cross.png']
    ] as const) {
      expect(maxAbsDiff(decodeImage(bytes).rgb, magickPixels(at(name)).rgb)).toBeLessThanOrEqual(
        1e-4
      );
    }
  });

  test("the spec's background: black for white-on-black presets", () => {
    const a = drawing('circle2.png', 'circle 14,14 14,4');
    const ref = magickPixels(at('circle2.png'), { background: 'black' });
    expect(maxAbsDiff(decodeImage(a, 0).rgb, ref.rgb)).toBeLessThanOrEqual(1e-4);
  });
});

describe('image formats that are not read are named, with the conversion command', () => {
  test.each([
    ['GIF', 'g.gif', /GIF images are not read; convert to PNG first: convert in\.gif/],
    ['BMP', 'b.bmp', /BMP images are not read/],
    ['TIFF', 't.tif', /TIFF images are not read/]
  ])('%s', (_n, name, why) => {
    run(CONVERT, [at('l.png'), at(name)]);
    expect(() => decodeImage(read(at(name)))).toThrow(FeatureError);
    expect(() => decodeImage(read(at(name)))).toThrow(why);
  });

  test('an iPhone HEIC photo (by its ftyp brand)', () => {
    const heic = new Uint8Array(32);
    heic.set(
      new TextEncoder().encode('\u0000\u0000\u0000\u0018ftypheic\u0000\u0000\u0000\u0000mif1heic')
    );
    expect(() => decodeImage(heic)).toThrow(/HEIC \(iPhone photo\) images are not read.*in\.heic/);
  });
});

describe('JPEGs phones and transfers make', () => {
  /** A small real JPEG of a gradient, encoded by jpeg-js. */
  function smallJpeg(width = 64, height = 48): Uint8Array {
    const data = Buffer.alloc(width * height * 4);
    for (let p = 0; p < width * height; p++) data.set([p % 256, (p * 7) % 256, 128, 255], p * 4);
    return Uint8Array.from(jpeg.encode({ data, width, height }, 90).data);
  }

  /** The JPEG with its frame header (SOF0) saying `width`×`height`. */
  function claiming(bytes: Uint8Array, width: number, height: number): Uint8Array {
    const out = bytes.slice();
    const sof = out.findIndex((b, i) => b === 0xff && out[i + 1] === 0xc0);
    new DataView(out.buffer).setUint16(sof + 5, height);
    new DataView(out.buffer).setUint16(sof + 7, width);
    return out;
  }

  test.each([
    [8000, 6000, '48.0'],
    [8160, 6120, '49.9']
  ])('a %i×%i phone photo: its size and how to shrink it, in plain words', (w, h, mp) => {
    const decode = () => decodeImage(claiming(smallJpeg(), w, h));
    expect(decode).toThrow(FeatureError);
    expect(decode).toThrow(
      `the picture is ${mp} megapixels (${w}×${h}); Quench reads pictures of up to 40 megapixels: shrink it first, e.g. convert in.jpg -resize 2000x2000 out.jpg`
    );
  });

  test('a JPEG cut short in transfer says so', () => {
    const whole = smallJpeg();
    expect(decodeImage(whole).width).toBe(64);
    for (const part of [0.3, 0.6, 0.95]) {
      const cut = whole.subarray(0, Math.floor(whole.length * part));
      expect(() => decodeImage(cut)).toThrow(
        /^the JPEG ends early \(cut short in transfer\?\): \d+ bytes are there; copy it again/
      );
    }
  });
});
