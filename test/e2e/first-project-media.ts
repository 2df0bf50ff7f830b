/**
 * The fake devices for the first-project end-to-end test: a microphone recording and a camera
 * video laid out on a timeline that the test follows, with every take different (other voices,
 * speeds and pitches; other frames) and noise underneath. Chromium replays the file from its
 * start whenever the device opens, so both the Collect session and Live see the same timeline.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeWav, encodeWav, toMono } from '../../core/features/wav';
import { createRng } from '../../core/util/rng';
import { HELD_OUT_VOICES, speak, TRAIN_VOICES, webcamFrame } from '../fixtures/first-project';

export interface Slot {
  start: number;
  end: number;
  label: string;
}

/** Where things are on the microphone's timeline, in seconds. */
export interface MicTimeline {
  /** Held-out takes (voices never recorded in Collect), one per slot. */
  heldOut: Slot[];
  background: Slot;
  /** Training takes per word: a block of different voices. */
  words: Record<string, Slot>;
  total: number;
}

const RATE = 16000;

/** Pink-ish noise (white noise through a one-pole low-pass), seeded, at RMS ≈ `level`. */
function noise(n: number, level: number, seed: number): Float32Array {
  const rng = createRng(seed);
  const out = new Float32Array(n);
  let y = 0;
  for (let i = 0; i < n; i++) {
    y = 0.95 * y + 0.05 * (2 * rng.next() - 1);
    out[i] = y;
  }
  let sq = 0;
  for (const v of out) sq += v * v;
  const k = level / Math.sqrt(sq / n || 1);
  return out.map((v) => v * k);
}

function take(
  work: string,
  word: string,
  voice: [string, number, number],
  k: number
): Float32Array {
  const f = join(work, `take-${word}-${k}.wav`);
  speak(word, voice, f);
  return toMono(decodeWav(new Uint8Array(readFileSync(f))));
}

/**
 * Writes the microphone file (48 kHz mono 16-bit WAV, as Chromium's fake capture takes it):
 * held-out takes of `words` alternating (`heldOutSlot` s each), then `background` seconds of
 * room noise with a hum, then per word `takes` training takes every `spacing` s.
 */
export function micRecording(
  work: string,
  words: string[],
  opts = { takes: 16, spacing: 1.1, heldOutSlot: 1.6, background: 10.6 }
): { path: string; timeline: MicTimeline } {
  const heldOut: Slot[] = [];
  let t = 0;
  const clips: { at: number; x: Float32Array }[] = [];
  HELD_OUT_VOICES.forEach((voice, v) => {
    for (const word of words) {
      clips.push({ at: t + 0.3, x: take(work, word, voice, 100 + v) });
      heldOut.push({ start: t, end: t + opts.heldOutSlot, label: word });
      t += opts.heldOutSlot;
    }
  });
  const background: Slot = { start: t, end: t + opts.background, label: 'background' };
  t += opts.background;
  const blocks: Record<string, Slot> = {};
  for (const word of words) {
    const start = t;
    for (let k = 0; k < opts.takes; k++) {
      clips.push({ at: t + 0.1, x: take(work, word, TRAIN_VOICES[k % TRAIN_VOICES.length], k) });
      t += opts.spacing;
    }
    blocks[word] = { start, end: t, label: word };
  }
  const total = t + 0.5;
  const n = Math.round(total * RATE);
  const x = noise(n, 0.004, 1);
  const room = noise(Math.round(opts.background * RATE), 0.03, 2);
  const at0 = Math.round(background.start * RATE);
  room.forEach((v, i) => (x[at0 + i] += v + 0.01 * Math.sin((2 * Math.PI * 100 * i) / RATE)));
  for (const c of clips) {
    const at = Math.round(c.at * RATE);
    c.x.forEach((v, i) => at + i < n && (x[at + i] += v));
  }
  const raw = join(work, 'mic-16k.wav');
  writeFileSync(raw, encodeWav([x.map((v) => Math.max(-1, Math.min(1, v)))], RATE));
  const path = join(work, 'mic.wav');
  execFileSync('sox', [raw, '-r', '48000', '-c', '1', '-b', '16', path]);
  return { path, timeline: { heldOut, background, words: blocks, total } };
}

export interface CameraTimeline {
  heldOut: Slot[];
  classes: Record<string, Slot>;
  total: number;
}

/**
 * Writes the camera video (Y4M 4:2:0, 160×120, 10 fps): held-out seconds of each class, then
 * `seconds` of each class to capture; every frame a different draw (box position, light, noise).
 */
export function cameraVideo(
  work: string,
  opts = { heldOut: 3, seconds: 5 }
): { path: string; timeline: CameraTimeline } {
  const W = 160;
  const H = 120;
  const FPS = 10;
  const kinds: ('box' | 'blue')[] = ['box', 'blue'];
  const parts: Buffer[] = [Buffer.from(`YUV4MPEG2 W${W} H${H} F${FPS}:1 Ip A1:1 C420jpeg\n`)];
  const heldOut: Slot[] = [];
  const classes: Record<string, Slot> = {};
  let t = 0;
  let seed = 1;
  const frames = (kind: 'box' | 'blue', seconds: number, base: number) => {
    for (let f = 0; f < seconds * FPS; f++)
      parts.push(yuvFrame(webcamFrame(kind, W, H, base + seed++), W, H));
  };
  for (const k of kinds) {
    frames(k, opts.heldOut, 10_000);
    heldOut.push({ start: t, end: t + opts.heldOut, label: k });
    t += opts.heldOut;
  }
  for (const k of kinds) {
    frames(k, opts.seconds, 0);
    classes[k] = { start: t, end: t + opts.seconds, label: k };
    t += opts.seconds;
  }
  const path = join(work, 'camera.y4m');
  writeFileSync(path, Buffer.concat(parts));
  return { path, timeline: { heldOut, classes, total: t } };
}

/** One Y4M frame from RGB pixels (BT.601 full range, chroma averaged over 2×2). */
function yuvFrame(rgb: Uint8Array, W: number, H: number): Buffer {
  const y = Buffer.alloc(W * H);
  const u = Buffer.alloc((W / 2) * (H / 2));
  const v = Buffer.alloc((W / 2) * (H / 2));
  for (let i = 0; i < W * H; i++) {
    const [r, g, b] = [rgb[3 * i], rgb[3 * i + 1], rgb[3 * i + 2]];
    y[i] = Math.round(0.299 * r + 0.587 * g + 0.114 * b);
  }
  for (let r = 0; r < H / 2; r++)
    for (let c = 0; c < W / 2; c++) {
      let sr = 0;
      let sg = 0;
      let sb = 0;
      for (const [dr, dc] of [
        [0, 0],
        [0, 1],
        [1, 0],
        [1, 1]
      ]) {
        const i = (2 * r + dr) * W + 2 * c + dc;
        sr += rgb[3 * i];
        sg += rgb[3 * i + 1];
        sb += rgb[3 * i + 2];
      }
      [sr, sg, sb] = [sr / 4, sg / 4, sb / 4];
      const clamp = (x: number) => Math.max(0, Math.min(255, Math.round(x)));
      u[r * (W / 2) + c] = clamp(128 - 0.168736 * sr - 0.331264 * sg + 0.5 * sb);
      v[r * (W / 2) + c] = clamp(128 + 0.5 * sr - 0.418688 * sg - 0.081312 * sb);
    }
  return Buffer.concat([Buffer.from('FRAME\n'), y, u, v]);
}
