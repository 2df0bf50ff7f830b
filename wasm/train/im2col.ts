// AssemblyScript: the lowering of convolution gradients to matrix products
// (core/train/backend/conv2d-backprop-filter.ts and conv2d-backprop-input.ts). NHWC float32.

/**
 * Writes im2col(x) transposed: colsT is [kh·kw·inC, N·outH·outW], row (kh, kw, c) holding that
 * tap of every output position; positions in the padding are 0.
 */
export function im2colTransposed(
  x: usize,
  colsT: usize,
  batch: i32,
  inH: i32,
  inW: i32,
  inC: i32,
  outH: i32,
  outW: i32,
  filterH: i32,
  filterW: i32,
  strideH: i32,
  strideW: i32,
  top: i32,
  left: i32
): void {
  let dst: usize = colsT;
  const cBytes = (<usize>inC) << 2;
  for (let kh: i32 = 0; kh < filterH; kh++) {
    for (let kw: i32 = 0; kw < filterW; kw++) {
      // The output columns whose input column is inside the image for this kw.
      let ow0: i32 = 0;
      while (ow0 < outW && ow0 * strideW - left + kw < 0) ow0++;
      let ow1: i32 = outW;
      while (ow1 > ow0 && (ow1 - 1) * strideW - left + kw >= inW) ow1--;
      for (let c: i32 = 0; c < inC; c++) {
        for (let n: i32 = 0; n < batch; n++) {
          for (let oh: i32 = 0; oh < outH; oh++) {
            const ih = oh * strideH - top + kh;
            if (ih < 0 || ih >= inH) {
              memory.fill(dst, 0, (<usize>outW) << 2);
              dst += (<usize>outW) << 2;
              continue;
            }
            const row = x + (<usize>((n * inH + ih) * inW) << 2) * <usize>inC + ((<usize>c) << 2);
            let ow: i32 = 0;
            for (; ow < ow0; ow++, dst += 4) store<f32>(dst, 0);
            let src = row + <usize>(ow0 * strideW - left + kw) * cBytes;
            const step = <usize>strideW * cBytes;
            for (; ow < ow1; ow++, dst += 4, src += step) store<f32>(dst, load<f32>(src));
            for (; ow < outW; ow++, dst += 4) store<f32>(dst, 0);
          }
        }
      }
    }
  }
}

/**
 * Adds every row of cols ([N·outH·outW, kh·kw·inC]) back onto the input positions it was read
 * from (the scatter-add inverse of im2col); dx ([N, H, W, inC]) must start zeroed. Padding
 * positions are dropped.
 */
export function col2im(
  cols: usize,
  dx: usize,
  batch: i32,
  inH: i32,
  inW: i32,
  inC: i32,
  outH: i32,
  outW: i32,
  filterH: i32,
  filterW: i32,
  strideH: i32,
  strideW: i32,
  top: i32,
  left: i32
): void {
  let src: usize = cols;
  const cBytes = (<usize>inC) << 2;
  for (let n: i32 = 0; n < batch; n++) {
    for (let oh: i32 = 0; oh < outH; oh++) {
      for (let ow: i32 = 0; ow < outW; ow++) {
        for (let kh: i32 = 0; kh < filterH; kh++) {
          const ih = oh * strideH - top + kh;
          for (let kw: i32 = 0; kw < filterW; kw++, src += cBytes) {
            const iw = ow * strideW - left + kw;
            if (ih < 0 || ih >= inH || iw < 0 || iw >= inW) continue;
            const dst = dx + <usize>((n * inH + ih) * inW + iw) * cBytes;
            let c: i32 = 0;
            for (; c + 4 <= inC; c += 4) {
              const off = (<usize>c) << 2;
              v128.store(dst + off, f32x4.add(v128.load(dst + off), v128.load(src + off)));
            }
            for (; c < inC; c++) {
              const off = (<usize>c) << 2;
              store<f32>(dst + off, load<f32>(dst + off) + load<f32>(src + off));
            }
          }
        }
      }
    }
  }
}
