/**
 * The fake devices for the first-project end-to-end test: a microphone recording and a camera
 * video laid out on a timeline that the test follows, with every take different (other voices,
 * speeds and pitches; other frames) and noise underneath. Chromium replays the file from its
 * start whenever the device opens, so both the Collect session and Live see the same timeline.
 *
 * The microphone's takes are the generalization benchmark's material (festival and sox only,
 * test/bench/generalize-material.ts): the user's takes are festival's kal and slt voices in the
 * user's room, the held-out takes festival's ked voice made into several speakers in other
 * rooms. The keyword base was trained on espeak-ng and flite alone, so no part of a model from
 * it heard the held-out voices, and its corpus has none of the words.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeWav, encodeWav, toMono } from '../../core/features/wav';
import { createRng } from '../../core/util/rng';
import { audibleExtent, makeGeneralizeMaterial, noise } from '../bench/generalize-material';
import { webcamFrame } from '../fixtures/first-project';

export interface Slot {
  start: number;
  end: number;
  label: string;
}

/** A held-out take on the timeline: its slot, and where its word starts within it (s). */
export interface HeldOutSlot extends Slot {
  wordStart: number;
  voice: string;
  room: string;
}

/** Where things are on the microphone's timeline, in seconds. */
export interface MicTimeline {
  /** Held-out takes (voices never recorded, nor heard by the base), one per slot. */
  heldOut: HeldOutSlot[];
  background: Slot;
  /** Training takes per word: a block of the user's takes. */
  words: Record<string, Slot>;
  total: number;
}

const RATE = 16000;
/** The room's steady noise under the whole recording, dBFS RMS (the user's room in the material). */
const ROOM_DBFS = -48;

function samplesOf(file: string): Float32Array {
  return toMono(decodeWav(new Uint8Array(readFileSync(file)), file));
}

/**
 * Writes the microphone file (48 kHz mono 16-bit WAV, as Chromium's fake capture takes it):
 * `heldOutPerWord` held-out takes of each of `words`, alternating, one per `heldOutSlot` s; then
 * `background` s of the user's room; then per word a block of `takes` of the user's takes every
 * `spacing` s (the word alone, over the room). `work` receives the material too.
 */
export function micRecording(
  work: string,
  words: string[],
  opts = { takes: 16, spacing: 1.1, heldOutPerWord: 8, heldOutSlot: 1.8, background: 10.6 }
): { path: string; timeline: MicTimeline } {
  const dir = join(work, 'material');
  const m = makeGeneralizeMaterial({
    out: dir,
    words,
    takesPerWord: opts.takes,
    heldOutPerWord: opts.heldOutPerWord,
    backgroundSeconds: opts.background,
    // The living and quiet rooms aren't used here; the shortest the material allows.
    livingSeconds: 6,
    livingKeywords: 1,
    livingSentences: 0,
    babbleSentences: 1,
    quietSeconds: 1
  });
  const clips: { at: number; x: Float32Array }[] = [];
  const heldOut: HeldOutSlot[] = [];
  let t = 0;
  // Alternate the words: take k of every word, then take k + 1.
  for (let k = 0; k < opts.heldOutPerWord; k++)
    for (const word of words) {
      const e = m.heldOut.filter((h) => h.word === word)[k];
      const x = samplesOf(join(dir, e.file));
      const len = Math.max(opts.heldOutSlot, x.length / RATE + 0.1);
      // The word stands 10 dB or more above the take's own room noise.
      const { first } = audibleExtent(x, 10);
      clips.push({ at: t, x });
      heldOut.push({
        start: t,
        end: t + len,
        label: word,
        wordStart: t + first / RATE,
        voice: e.voice,
        room: e.room
      });
      t += len;
    }
  const background: Slot = { start: t, end: t + opts.background, label: 'background' };
  clips.push({ at: t, x: samplesOf(join(dir, m.background)) });
  t += opts.background;
  const blocks: Record<string, Slot> = {};
  for (const word of words) {
    const start = t;
    for (const e of m.projectTakes.filter((p) => p.word === word)) {
      const x = samplesOf(join(dir, e.file));
      const { first, last } = audibleExtent(x);
      clips.push({ at: t + 0.1, x: x.slice(first, last) });
      t += opts.spacing;
    }
    blocks[word] = { start, end: t, label: word };
  }
  const total = t + 0.5;
  const n = Math.round(total * RATE);
  const rng = createRng(7);
  const room = noise('brown', n, rng);
  const x = room.map((v) => v * 10 ** (ROOM_DBFS / 20));
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
