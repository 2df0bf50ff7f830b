/**
 * Image features: PNG (fast-png) and JPEG (jpeg-js) bytes → RGB in [0, 1] → area-averaged resize →
 * grey or RGB, as [height, width, channels] float32. The same function serves training files and
 * live camera frames (which arrive as RGBA pixels and skip the decoding step).
 */
import { convertIndexedToRgb, decode as decodePng, hasPngSignature } from 'fast-png';
import * as jpeg from 'jpeg-js';
import { FeatureError } from './logmel';

export interface ImageSettings {
  kind: 'image';
  width: number;
  height: number;
  /** 1 = grey (luma), 3 = RGB. */
  channels: 1 | 3;
}

/** Pixels as interleaved RGB floats in [0, 1], alpha already composited over black. */
export interface RgbImage {
  width: number;
  height: number;
  rgb: Float32Array;
}

/** Larger images are refused before decoding. */
export const MAX_IMAGE_PIXELS = 40_000_000;
export const MAX_IMAGE_BYTES = 64 * 1024 * 1024;

export function checkImageSettings(s: ImageSettings): void {
  for (const k of ['width', 'height'] as const) {
    if (!Number.isInteger(s[k]) || s[k] < 1 || s[k] > 512) {
      throw new FeatureError(`features.${k} must be an integer in [1, 512], got ${s[k]}`);
    }
  }
  if (s.channels !== 1 && s.channels !== 3) {
    throw new FeatureError(`features.channels must be 1 or 3, got ${s.channels}`);
  }
}

function isJpeg(bytes: Uint8Array): boolean {
  return bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff;
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Decodes PNG or JPEG bytes (by signature, not by name). Throws FeatureError on anything else. */
export function decodeImage(bytes: Uint8Array): RgbImage {
  if (bytes.length > MAX_IMAGE_BYTES) {
    throw new FeatureError(
      `the file is ${bytes.length} bytes; at most ${MAX_IMAGE_BYTES} are read`
    );
  }
  if (bytes.length === 0) throw new FeatureError('the file is empty');
  if (hasPngSignature(bytes)) return fromPng(bytes);
  if (isJpeg(bytes)) return fromJpeg(bytes);
  throw new FeatureError('not a PNG or JPEG image (unknown signature)');
}

function checkSize(width: number, height: number): void {
  if (!(width >= 1 && height >= 1)) throw new FeatureError(`image is ${width}×${height} pixels`);
  if (width * height > MAX_IMAGE_PIXELS) {
    throw new FeatureError(`image is ${width}×${height}, more than ${MAX_IMAGE_PIXELS} pixels`);
  }
}

/** Reads the IHDR size first so a huge declared image is refused before inflating it. */
function pngHeaderSize(bytes: Uint8Array): [number, number] {
  if (bytes.length < 24) throw new FeatureError('PNG is truncated before its header');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return [view.getUint32(16), view.getUint32(20)];
}

function fromPng(bytes: Uint8Array): RgbImage {
  checkSize(...pngHeaderSize(bytes));
  let png;
  try {
    png = decodePng(bytes, { checkCrc: true });
  } catch (e) {
    throw new FeatureError(`PNG could not be decoded: ${message(e)}`);
  }
  const { width, height } = png;
  checkSize(width, height);
  let data: ArrayLike<number> = png.data;
  let channels = png.channels;
  let max = 2 ** png.depth - 1;
  if (png.palette) {
    try {
      data = convertIndexedToRgb(png);
    } catch (e) {
      throw new FeatureError(`PNG palette could not be applied: ${message(e)}`);
    }
    channels = png.palette[0]?.length ?? 3;
    max = 255;
  } else if (png.depth < 8) {
    data = unpackBits(png.data as Uint8Array, width, height, channels, png.depth);
  }
  if (data.length < width * height * channels) {
    throw new FeatureError(
      `PNG holds ${data.length} samples, ${width * height * channels} expected`
    );
  }
  return { width, height, rgb: toRgb(data, width * height, channels, max) };
}

/** Rows of packed 1/2/4-bit samples (each row starts on a byte) → one number per sample. */
function unpackBits(
  packed: Uint8Array,
  width: number,
  height: number,
  channels: number,
  depth: number
): Uint8Array {
  const perRow = width * channels;
  if (packed.length === perRow * height) return packed; // already one per sample
  const rowBytes = Math.ceil((perRow * depth) / 8);
  if (packed.length < rowBytes * height) throw new FeatureError('PNG pixel data is truncated');
  const out = new Uint8Array(perRow * height);
  const mask = (1 << depth) - 1;
  for (let r = 0; r < height; r++) {
    for (let i = 0; i < perRow; i++) {
      const bit = i * depth;
      const byte = packed[r * rowBytes + (bit >> 3)];
      out[r * perRow + i] = (byte >> (8 - depth - (bit & 7))) & mask;
    }
  }
  return out;
}

function fromJpeg(bytes: Uint8Array): RgbImage {
  let img;
  try {
    img = jpeg.decode(bytes, {
      useTArray: true,
      formatAsRGBA: true,
      maxResolutionInMP: MAX_IMAGE_PIXELS / 1e6,
      maxMemoryUsageInMB: 512
    });
  } catch (e) {
    throw new FeatureError(`JPEG could not be decoded: ${message(e)}`);
  }
  checkSize(img.width, img.height);
  return {
    width: img.width,
    height: img.height,
    rgb: toRgb(img.data, img.width * img.height, 4, 255)
  };
}

/** Interleaved samples with 1–4 channels (grey, grey+alpha, RGB, RGBA) → RGB in [0, 1]. */
export function toRgb(
  data: ArrayLike<number>,
  pixels: number,
  channels: number,
  max: number
): Float32Array {
  if (channels < 1 || channels > 4) throw new FeatureError(`${channels} colour channels per pixel`);
  const rgb = new Float32Array(pixels * 3);
  const hasAlpha = channels === 2 || channels === 4;
  const colour = channels >= 3;
  for (let p = 0; p < pixels; p++) {
    const s = p * channels;
    const a = hasAlpha ? data[s + channels - 1] / max : 1;
    for (let k = 0; k < 3; k++) rgb[p * 3 + k] = ((colour ? data[s + k] : data[s]) / max) * a;
  }
  return rgb;
}

/**
 * Area-averaged resize to the settings' size, then grey (Rec. 601 luma) or RGB:
 * [height, width, channels] float32 in [0, 1]. Each output pixel is the mean of the input area it
 * covers, weighting partly covered pixels by their overlap (a box filter: no aliasing on shrink).
 */
export function imageFeatures(img: RgbImage, s: ImageSettings): Float32Array {
  checkImageSettings(s);
  const out = new Float32Array(s.width * s.height * s.channels);
  const sx = img.width / s.width;
  const sy = img.height / s.height;
  const acc = [0, 0, 0];
  for (let oy = 0; oy < s.height; oy++) {
    const y0 = oy * sy;
    const y1 = y0 + sy;
    for (let ox = 0; ox < s.width; ox++) {
      const x0 = ox * sx;
      const x1 = x0 + sx;
      acc[0] = acc[1] = acc[2] = 0;
      let total = 0;
      for (let y = Math.floor(y0); y < Math.min(img.height, Math.ceil(y1)); y++) {
        const wy = Math.min(y + 1, y1) - Math.max(y, y0);
        for (let x = Math.floor(x0); x < Math.min(img.width, Math.ceil(x1)); x++) {
          const w = wy * (Math.min(x + 1, x1) - Math.max(x, x0));
          const p = (y * img.width + x) * 3;
          acc[0] += w * img.rgb[p];
          acc[1] += w * img.rgb[p + 1];
          acc[2] += w * img.rgb[p + 2];
          total += w;
        }
      }
      const o = (oy * s.width + ox) * s.channels;
      if (s.channels === 1) out[o] = (0.299 * acc[0] + 0.587 * acc[1] + 0.114 * acc[2]) / total;
      else for (let k = 0; k < 3; k++) out[o + k] = acc[k] / total;
    }
  }
  return out;
}
