/** The file picker's accept lists: every extension core reads, per project kind. */
import { EXTENSIONS } from '../../../core/data/files';

export const IMPORT_ACCEPT = {
  audio: EXTENSIONS.audio.map((e) => `.${e}`).join(','),
  image: EXTENSIONS.image.map((e) => `.${e}`).join(',')
};
