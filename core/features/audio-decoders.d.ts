// The @audio/decode-* packages as core uses them (some ship no typings, and those that do
// reference DOM types core is compiled without): the whole-file `decode`, and `decoder()`, which
// takes a file's bytes a chunk at a time and gives the samples decoded from each.
interface AudiojsDecoded {
  channelData: Float32Array[];
  sampleRate: number;
}
interface AudiojsStreamDecoder {
  decode(chunk: Uint8Array): AudiojsDecoded | Promise<AudiojsDecoded>;
  /** The samples still held back at the end of the input (not every decoder has it). */
  flush?(): AudiojsDecoded | Promise<AudiojsDecoded>;
  free(): void;
}
declare module '@audio/decode-mp3' {
  const decode: (bytes: Uint8Array) => Promise<AudiojsDecoded>;
  export const decoder: () => AudiojsStreamDecoder | Promise<AudiojsStreamDecoder>;
  export default decode;
}
declare module '@audio/decode-mp4' {
  const decode: (bytes: Uint8Array) => Promise<AudiojsDecoded>;
  export const decoder: () => AudiojsStreamDecoder | Promise<AudiojsStreamDecoder>;
  export default decode;
}
declare module '@audio/decode-aac' {
  const decode: (bytes: Uint8Array) => Promise<AudiojsDecoded>;
  export const decoder: () => AudiojsStreamDecoder | Promise<AudiojsStreamDecoder>;
  export default decode;
}
declare module '@audio/decode-vorbis' {
  const decode: (bytes: Uint8Array) => Promise<AudiojsDecoded>;
  export const decoder: () => AudiojsStreamDecoder | Promise<AudiojsStreamDecoder>;
  export default decode;
}
declare module '@audio/decode-opus' {
  const decode: (bytes: Uint8Array) => Promise<AudiojsDecoded>;
  export const decoder: () => AudiojsStreamDecoder | Promise<AudiojsStreamDecoder>;
  export default decode;
}
declare module '@audio/decode-flac' {
  const decode: (bytes: Uint8Array) => Promise<AudiojsDecoded>;
  export const decoder: () => AudiojsStreamDecoder | Promise<AudiojsStreamDecoder>;
  export default decode;
}
declare module '@audio/decode-webm' {
  const decode: (bytes: Uint8Array) => Promise<AudiojsDecoded>;
  export const decoder: () => AudiojsStreamDecoder | Promise<AudiojsStreamDecoder>;
  export default decode;
}
declare module '@audio/decode-aiff' {
  const decode: (bytes: Uint8Array) => Promise<AudiojsDecoded>;
  export const decoder: () => AudiojsStreamDecoder | Promise<AudiojsStreamDecoder>;
  export default decode;
}
