import { AudioError } from './audio-error';

/** A WAV file that can't be read, with the reason. */
export class WavError extends AudioError {
  constructor(message: string) {
    super(message);
    this.name = 'WavError';
  }
}
