/**
 * EXIF orientation, applied as every photo viewer applies it. Phones store the sensor's pixels and
 * a tag saying how to turn them (EXIF 2.32, CIPA DC-008, tag 0x0112 "Orientation", values 1–8);
 * the tag is read with ExifReader, from JPEG APP1 and PNG eXIf chunks alike.
 */
import ExifReader from 'exifreader';

/** The orientation tag (1–8), or 1 when there is none or the metadata can't be read. */
export function exifOrientation(bytes: Uint8Array): number {
  try {
    const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
    const tags = ExifReader.load(buffer as ArrayBuffer) as { Orientation?: { value?: unknown } };
    const v = Number(tags.Orientation?.value);
    return Number.isInteger(v) && v >= 1 && v <= 8 ? v : 1;
  } catch {
    // Broken or absent metadata: viewers then show the pixels as stored, and so do we.
    return 1;
  }
}

/**
 * Pixels (`channels` interleaved per pixel, row-major, width × height) turned upright for an
 * orientation: 2 mirror, 3 rotate 180°, 4 flip, 5 transpose, 6 rotate 90° clockwise, 7 transverse,
 * 8 rotate 90° counter-clockwise. Returns the new width, height and pixels.
 */
export function applyOrientation(
  data: Float32Array,
  width: number,
  height: number,
  channels: number,
  orientation: number
): { width: number; height: number; data: Float32Array } {
  if (orientation <= 1 || orientation > 8) return { width, height, data };
  const swap = orientation >= 5;
  const w = swap ? height : width;
  const h = swap ? width : height;
  const out = new Float32Array(data.length);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let sx: number;
      let sy: number;
      switch (orientation) {
        case 2:
          [sx, sy] = [width - 1 - x, y];
          break;
        case 3:
          [sx, sy] = [width - 1 - x, height - 1 - y];
          break;
        case 4:
          [sx, sy] = [x, height - 1 - y];
          break;
        case 5:
          [sx, sy] = [y, x];
          break;
        case 6:
          [sx, sy] = [y, height - 1 - x];
          break;
        case 7:
          [sx, sy] = [width - 1 - y, height - 1 - x];
          break;
        default:
          [sx, sy] = [width - 1 - y, x];
      }
      const s = (sy * width + sx) * channels;
      const o = (y * w + x) * channels;
      for (let k = 0; k < channels; k++) out[o + k] = data[s + k];
    }
  }
  return { width: w, height: h, data: out };
}
