/**
 * Entry of the browser bundle built by decoders.e2e.ts: core's decoders on `window`, so the test
 * can run them in Chromium exactly as the app's renderer or a worker would bundle them.
 */
import { decodeAudio } from '../../core/features/audio';
import { decodeImage } from '../../core/features/image';

export interface QuenchDecoders {
  decodeAudio: typeof decodeAudio;
  decodeImage: typeof decodeImage;
}

(globalThis as unknown as { quenchDecoders: QuenchDecoders }).quenchDecoders = {
  decodeAudio,
  decodeImage
};
