/**
 * Any audio file → mono samples at the rate features are computed at, the way training, the CLI
 * and Live all read sound: decode ({@link decodeAudioPieces}) → mono ({@link MonoMixer}: the
 * average, or the louder channel when the channels cancel) → resampled ({@link Resampler}), one
 * piece at a time. Memory stays near the size of the output (an hour at 16 kHz is 230 MB of
 * float32) instead of the decoded file at its own rate and channels (an hour of 44.1 kHz stereo
 * is 1.3 GB, and every whole-signal step used to copy it); {@link streamMonoAt} hands the output
 * on block by block and holds none of it. The samples equal those of decoding, mixing and
 * resampling the whole file at once.
 */
import { decodeAudioPieces, type PieceOptions } from './audio';
import { MonoMixer } from './mixdown';
import { Resampler } from './resample';

/** What was read, after the last block. */
export interface MonoRead {
  /** Output samples in all blocks together. */
  samples: number;
  /** The file's own sample rate and channel count. */
  sourceRate: number;
  channels: number;
  /** Everything read differently from a plain file (ended early, channels cancel …). */
  warnings: string[];
}

/**
 * Receives the output blocks of one pass over the file: mono samples at the asked rate, in order,
 * with the share of the file decoded so far (0–1]. A block is the receiver's to keep.
 */
export type MonoBlocks = (block: Float32Array, done: number) => void;

/**
 * Decodes `bytes` (any format Quench reads; `name` goes into messages) to mono at `rate` Hz,
 * handing the output to the receiver `start()` returns, block by block. When the channels turn
 * out to cancel (known only at the end), `start()` is called again and a second pass gives the
 * louder channel alone: the first receiver's blocks are then to be dropped. Throws AudioError
 * (WavError for WAV) when the file can't be read, and whatever the receiver throws.
 */
export async function streamMonoAt(
  bytes: Uint8Array,
  name: string | undefined,
  rate: number,
  start: () => MonoBlocks,
  options: PieceOptions = {}
): Promise<MonoRead> {
  let mixer: MonoMixer | undefined;
  const pass = async (pick: (channels: Float32Array[]) => Float32Array) => {
    const take = start();
    let resampler: Resampler | undefined;
    let samples = 0;
    let done = 0;
    const give = (block: Float32Array) => {
      samples += block.length;
      if (block.length > 0) take(block, done);
    };
    const read = await decodeAudioPieces(
      bytes,
      name,
      (piece) => {
        resampler ??= new Resampler(piece.sampleRate, rate);
        done = piece.done;
        give(resampler.push(pick(piece.channels)));
      },
      options
    );
    done = 1;
    give(resampler!.flush());
    return { read, samples };
  };
  const first = await pass((channels) => {
    mixer ??= new MonoMixer(channels.length);
    return mixer.mix(channels);
  });
  // Whether the channels cancel is known only once all of them are summed.
  const cancel = mixer!.verdict();
  const { read, samples } = cancel ? await pass((c) => c[cancel.channel]) : first;
  return {
    samples,
    sourceRate: read.sampleRate,
    channels: read.channels,
    warnings: [...read.warnings, ...(cancel ? [cancel.warning] : [])]
  };
}

/**
 * {@link streamMonoAt} into one Float32Array: the whole recording, mono at `rate`, with the
 * warnings. Peak memory is about the output's size: the array is sized from the first blocks'
 * share of the file (exact for WAV, close for compressed files, whose bytes per second hardly
 * vary), and grows only when that estimate falls short.
 */
export async function decodeMonoAt(
  bytes: Uint8Array,
  name: string | undefined,
  rate: number,
  options: PieceOptions = {}
): Promise<{ samples: Float32Array; warnings: string[] }> {
  let out = new SampleBuffer();
  const read = await streamMonoAt(
    bytes,
    name,
    rate,
    () => {
      out = new SampleBuffer();
      return (block, done) => out.append(block, done);
    },
    options
  );
  return { samples: out.samples(), warnings: read.warnings };
}

/** Room kept over an estimated length, so that an estimate a little short needs no copy. */
const SPARE = 0.02;

/**
 * Samples appended block by block into one array that is sized, as soon as the first block comes,
 * from how much of the file it stands for, rather than doubled as it fills.
 */
export class SampleBuffer {
  private data = new Float32Array(0);
  private length = 0;

  /** Appends `block`, the output up to share `done` (0–1] of the input. */
  append(block: Float32Array, done: number): void {
    const need = this.length + block.length;
    if (need > this.data.length) {
      const estimate = done > 0 ? need / done : need;
      // At least a tenth more each time, so that a creeping estimate copies a few times at most.
      const size = Math.ceil(Math.max(estimate * (1 + SPARE), need * 1.1) + 1024);
      const grown = new Float32Array(size);
      grown.set(this.data.subarray(0, this.length));
      this.data = grown;
    }
    this.data.set(block, this.length);
    this.length = need;
  }

  /** Everything appended, as one array (a view when little room is left over, else a copy). */
  samples(): Float32Array {
    const view = this.data.subarray(0, this.length);
    return this.data.length - this.length <= SPARE * this.length + 1024 ? view : view.slice();
  }

  /** The capacity held now, in samples (for tests of the sizing). */
  get capacity(): number {
    return this.data.length;
  }
}
