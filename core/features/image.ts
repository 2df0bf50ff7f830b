/**
 * Image features: PNG (png.ts: fast-png plus the interlaced low-bit-depth path) and JPEG (jpeg-js)
 * bytes → the picture as people see it → area-averaged resize → grey or RGB, as
 * [height, width, channels] float32. "As people see it": transparency composited over the
 * settings' background (white unless the spec says otherwise, as viewers and drawing apps show
 * it), and the EXIF orientation applied (orientation.ts). The same resize serves training files and
 * live camera frames (which arrive as RGBA pixels and skip the decoding step).
 */
import * as jpeg from 'jpeg-js';
import { otherImageFormat } from './formats';
import { FeatureError } from './logmel';
import { applyOrientation, exifOrientation } from './orientation';
import { decodePng, pngHeader } from './png';

export interface ImageSettings {
  kind: 'image';
  width: number;
  height: number;
  /** 1 = grey (luma), 3 = RGB. */
  channels: 1 | 3;
  /** Grey level in [0, 1] that transparent pixels are composited over (default 1, white). */
  background?: number;
}

/** Pixels as interleaved RGB floats in [0, 1], alpha already composited over the background. */
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
  if (s.background !== undefined && !(s.background >= 0 && s.background <= 1)) {
    throw new FeatureError(
      `features.background must be a grey level in [0, 1], got ${s.background}`
    );
  }
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** 'png' or 'jpeg' by signature, or undefined. */
export function sniffImage(bytes: Uint8Array): 'png' | 'jpeg' | undefined {
  if (bytes.length >= 8 && PNG_SIGNATURE.every((v, i) => bytes[i] === v)) return 'png';
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) {
    return 'jpeg';
  }
  return undefined;
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * Decodes PNG or JPEG bytes (by signature, not by name) into the picture as a viewer shows it:
 * EXIF orientation applied, transparency composited over `background` (grey level, default white).
 * Throws FeatureError on anything else, naming formats it recognises and how to convert them.
 */
export function decodeImage(bytes: Uint8Array, background = 1): RgbImage {
  if (bytes.length > MAX_IMAGE_BYTES) {
    throw new FeatureError(
      `the file is ${bytes.length} bytes; at most ${MAX_IMAGE_BYTES} are read`
    );
  }
  if (bytes.length === 0) throw new FeatureError('the file is empty');
  const kind = sniffImage(bytes);
  if (!kind) {
    const other = otherImageFormat(bytes);
    if (other) {
      throw new FeatureError(
        `${other[0]} images are not read; convert to PNG first: convert in.${other[1]} -auto-orient out.png`
      );
    }
    throw new FeatureError('not a PNG or JPEG image (unknown signature)');
  }
  const img = kind === 'png' ? fromPng(bytes, background) : fromJpeg(bytes);
  const o = applyOrientation(img.rgb, img.width, img.height, 3, exifOrientation(bytes));
  return { width: o.width, height: o.height, rgb: o.data };
}

/**
 * Throws FeatureError unless `width`×`height` (pixels) is a picture Quench decodes: at most
 * {@link MAX_IMAGE_PIXELS} (a 48 MP phone photo decoded whole would take gigabytes), saying its
 * size and the command that shrinks a `format` file.
 */
function checkSize(width: number, height: number, format: 'png' | 'jpg'): void {
  if (!(width >= 1 && height >= 1)) throw new FeatureError(`image is ${width}×${height} pixels`);
  if (width * height > MAX_IMAGE_PIXELS) {
    const mp = ((width * height) / 1e6).toFixed(1);
    throw new FeatureError(
      `the picture is ${mp} megapixels (${width}×${height}); Quench reads pictures of up to ${MAX_IMAGE_PIXELS / 1e6} megapixels: shrink it first, e.g. convert in.${format} -resize 2000x2000 out.${format}`
    );
  }
}

/** JPEG markers that start a frame (SOF0–SOF15, less DHT, JPG and DAC), whose header has the size. */
const SOF = new Set([0xc0, 0xc1, 0xc2, 0xc3, 0xc5, 0xc6, 0xc7, 0xc9, 0xca, 0xcb, 0xcd, 0xce, 0xcf]);

/**
 * A JPEG's size in pixels from its frame header (ITU-T T.81 B.2.2), read without decoding, or
 * undefined when the bytes end (or the scan starts) before one.
 */
export function jpegSize(b: Uint8Array): { width: number; height: number } | undefined {
  let at = 2; // after SOI
  while (at + 4 <= b.length) {
    if (b[at] !== 0xff) return undefined;
    const marker = b[at + 1];
    if (marker === 0xff) {
      at++; // fill byte
      continue;
    }
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      at += 2; // markers without a segment
      continue;
    }
    if (marker === 0xda || marker === 0xd9) return undefined; // scan or end before any frame
    if (SOF.has(marker)) {
      if (at + 9 > b.length) return undefined;
      return { height: (b[at + 5] << 8) | b[at + 6], width: (b[at + 7] << 8) | b[at + 8] };
    }
    at += 2 + ((b[at + 2] << 8) | b[at + 3]);
  }
  return undefined;
}

/** Whether a JPEG lacks its end marker (trailing zero padding aside): it was cut short. */
function endsEarly(b: Uint8Array): boolean {
  let end = b.length;
  while (end > 0 && b[end - 1] === 0) end--;
  return !(end >= 2 && b[end - 2] === 0xff && b[end - 1] === 0xd9);
}

function fromPng(bytes: Uint8Array, background: number): RgbImage {
  const h = pngHeader(bytes);
  checkSize(h.width, h.height, 'png');
  const { width, height, rgba } = decodePng(bytes);
  return { width, height, rgb: toRgb(rgba, width * height, 4, 1, background) };
}

function fromJpeg(bytes: Uint8Array): RgbImage {
  const size = jpegSize(bytes);
  if (size) checkSize(size.width, size.height, 'jpg');
  let img;
  try {
    img = jpeg.decode(bytes, {
      useTArray: true,
      formatAsRGBA: true,
      maxResolutionInMP: MAX_IMAGE_PIXELS / 1e6,
      maxMemoryUsageInMB: 512
    });
  } catch (e) {
    if (endsEarly(bytes)) {
      throw new FeatureError(
        `the JPEG ends early (cut short in transfer?): ${bytes.length} bytes are there; copy it again from where it came from`
      );
    }
    throw new FeatureError(`JPEG could not be decoded: ${message(e)}`);
  }
  checkSize(img.width, img.height, 'jpg');
  return {
    width: img.width,
    height: img.height,
    rgb: toRgb(img.data, img.width * img.height, 4, 255)
  };
}

/**
 * Interleaved samples with 1–4 channels (grey, grey+alpha, RGB, RGBA) at full scale `max` → RGB
 * in [0, 1], alpha composited over the grey level `background` (default 1, white):
 * c·a + background·(1 − a), the "over" operator of Porter & Duff 1984.
 */
export function toRgb(
  data: ArrayLike<number>,
  pixels: number,
  channels: number,
  max: number,
  background = 1
): Float32Array {
  if (channels < 1 || channels > 4) throw new FeatureError(`${channels} colour channels per pixel`);
  const rgb = new Float32Array(pixels * 3);
  const hasAlpha = channels === 2 || channels === 4;
  const colour = channels >= 3;
  for (let p = 0; p < pixels; p++) {
    const s = p * channels;
    const a = hasAlpha ? data[s + channels - 1] / max : 1;
    for (let k = 0; k < 3; k++) {
      const c = (colour ? data[s + k] : data[s]) / max;
      rgb[p * 3 + k] = c * a + background * (1 - a);
    }
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
