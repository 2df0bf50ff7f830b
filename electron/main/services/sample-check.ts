/**
 * What a file a person chose would give a project, decided by core's one decode path (the same
 * that training uses): refused with the reason, or its clips (audio: cut at utterances in a word
 * class, into 1 s windows in the background class) with any warnings. Nothing is stored here.
 */
import { audioClips, clipLength, type AudioClips } from '../../../core/data/clips';
import { isBackgroundClass } from '../../../core/data/dataset';
import { modalityOf } from '../../../core/data/files';
import { sniffAudio } from '../../../core/features/audio';
import { otherImageFormat } from '../../../core/features/formats';
import { decodeImage, sniffImage } from '../../../core/features/image';
import { SPEECH_LOGMEL } from '../../../core/features/logmel';
import { wavSeconds } from '../../../core/features/wav';
import { ApiError, type ProjectKind, type SampleInspection } from '../../shared/api';

/** Points in the preview's envelope. */
const ENVELOPE_POINTS = 600;
/**
 * Less sound than this is refused: no word is this short (a stop consonant alone is ~0.1 s), and
 * such a file — typically one cut short in writing — would train its class on silence.
 */
export const MIN_SOUND_SECONDS = 0.15;
/**
 * More sound than this in one file is refused, from a WAV's header before decoding it: half an
 * hour is far beyond any take or background recording a project keeps (the app records 10 s at
 * most), and decoding hours of sound would take minutes and gigabytes.
 */
export const MAX_SOUND_SECONDS = 30 * 60;

/** "2 h 0 min", "31 min", "12.5 s". */
function durationText(seconds: number): string {
  if (seconds >= 3600)
    return `${Math.floor(seconds / 3600)} h ${Math.floor((seconds % 3600) / 60)} min`;
  if (seconds >= 60) return `${Math.floor(seconds / 60)} min`;
  return `${seconds.toFixed(1)} s`;
}

/** Throws ApiError when `seconds` of sound is more than a file of a project may hold. */
function checkDuration(seconds: number): void {
  if (seconds > MAX_SOUND_SECONDS) {
    throw new ApiError(
      `${durationText(seconds)} of sound; a clip may last at most ${durationText(MAX_SOUND_SECONDS)} (cut it into shorter files)`
    );
  }
}

function reason(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * Refuses a file of the other modality, or one that is neither, before decoding it. The bytes
 * decide; the name only when they are not recognised. Pictures recognised but not read (HEIC,
 * WebP, …) are pictures: an image project's decode names them and the command that converts them.
 */
function checkKind(kind: ProjectKind, name: string, bytes: Uint8Array): void {
  const audio = kind === 'audio';
  const picture = sniffImage(bytes) !== undefined || otherImageFormat(bytes) !== undefined;
  const isAudio = sniffAudio(bytes) !== undefined || (!picture && modalityOf(name) === 'audio');
  const isImage = picture || (!isAudio && modalityOf(name) === 'image');
  if (audio && isImage) throw new ApiError('a picture, and this is a sound project');
  if (!audio && isAudio) throw new ApiError('a sound file, and this is an image project');
  if (!isAudio && !isImage) {
    throw new ApiError(
      audio
        ? 'not a sound file Quench reads (WAV, MP3, M4A/AAC, Ogg Vorbis, Opus, FLAC, WebM, AIFF)'
        : 'not a PNG or JPEG image'
    );
  }
}

/**
 * Decodes the file as training will and describes it. Throws ApiError with the reason when it
 * can't be used.
 */
export async function inspectSample(
  kind: ProjectKind,
  className: string,
  name: string,
  bytes: Uint8Array
): Promise<SampleInspection> {
  return (await checkSample(kind, className, name, bytes)).seen;
}

/**
 * {@link inspectSample}, with the decoded clips of a sound file (`audio`, absent for a picture)
 * for a caller that saves them.
 */
export async function checkSample(
  kind: ProjectKind,
  className: string,
  name: string,
  bytes: Uint8Array
): Promise<{ seen: SampleInspection; audio?: AudioClips }> {
  if (bytes.length === 0) throw new ApiError('the file is empty (0 bytes)');
  checkKind(kind, name, bytes);
  const headerSeconds = kind === 'audio' ? wavSeconds(bytes) : undefined;
  if (headerSeconds !== undefined) checkDuration(headerSeconds);
  const background = kind === 'audio' && isBackgroundClass(className);
  try {
    if (kind === 'vision') {
      decodeImage(bytes);
      return { seen: { name, kind, clips: [], envelope: [], background, warnings: [] } };
    }
    const audio = await audioClips(bytes, name, SPEECH_LOGMEL, background);
    const seconds = audio.samples.length / audio.sampleRate;
    checkDuration(seconds);
    if (seconds < MIN_SOUND_SECONDS) {
      const why = audio.warnings.length > 0 ? ` (${audio.warnings.join('; ')})` : '';
      throw new ApiError(
        `only ${seconds.toFixed(2)} s of sound${why}: too short for a word or a second of background`
      );
    }
    return { seen: describeAudio(name, audio, background), audio };
  } catch (e) {
    if (e instanceof ApiError) throw e;
    throw new ApiError(reason(e));
  }
}

/** The preview of a recording's clips (seconds, marks, envelope), as the app draws it. */
export function describeAudio(
  name: string,
  audio: AudioClips,
  background: boolean
): SampleInspection {
  const rate = audio.sampleRate;
  const total = audio.samples.length;
  const length = clipLength(SPEECH_LOGMEL);
  return {
    name,
    kind: 'audio',
    seconds: total / rate,
    clips: audio.starts.map((s, k) => {
      const cut = audio.cuts[k];
      const long = audio.longSounds[k];
      return {
        start: Math.max(0, s) / rate,
        end: Math.min(total, s + length) / rate,
        ...(cut ? { cut } : {}),
        ...(long
          ? { longSound: { start: long.start / rate, end: long.end / rate, clips: long.clips } }
          : {})
      };
    }),
    envelope: envelope(audio.samples),
    background,
    warnings: audio.warnings
  };
}

/** Peak |x| in each of ENVELOPE_POINTS equal slices. */
function envelope(x: Float32Array): number[] {
  const n = Math.min(ENVELOPE_POINTS, x.length);
  return Array.from({ length: n }, (_, i) => {
    let peak = 0;
    const end = Math.floor(((i + 1) * x.length) / n);
    for (let j = Math.floor((i * x.length) / n); j < end; j++)
      peak = Math.max(peak, Math.abs(x[j]));
    return Math.round(peak * 1000) / 1000;
  });
}
