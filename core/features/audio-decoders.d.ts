// The @audio/decode-* packages' whole-file decoders, typed as core uses them (some ship no
// typings, and those that do reference DOM types core is compiled without).
declare module '@audio/decode-mp3' {
  const decode: (bytes: Uint8Array) => Promise<{ channelData: Float32Array[]; sampleRate: number }>;
  export default decode;
}
declare module '@audio/decode-mp4' {
  const decode: (bytes: Uint8Array) => Promise<{ channelData: Float32Array[]; sampleRate: number }>;
  export default decode;
}
declare module '@audio/decode-aac' {
  const decode: (bytes: Uint8Array) => Promise<{ channelData: Float32Array[]; sampleRate: number }>;
  export default decode;
}
declare module '@audio/decode-vorbis' {
  const decode: (bytes: Uint8Array) => Promise<{ channelData: Float32Array[]; sampleRate: number }>;
  export default decode;
}
declare module '@audio/decode-opus' {
  const decode: (bytes: Uint8Array) => Promise<{ channelData: Float32Array[]; sampleRate: number }>;
  export default decode;
}
declare module '@audio/decode-flac' {
  const decode: (bytes: Uint8Array) => Promise<{ channelData: Float32Array[]; sampleRate: number }>;
  export default decode;
}
declare module '@audio/decode-webm' {
  const decode: (bytes: Uint8Array) => Promise<{ channelData: Float32Array[]; sampleRate: number }>;
  export default decode;
}
declare module '@audio/decode-aiff' {
  const decode: (bytes: Uint8Array) => Promise<{ channelData: Float32Array[]; sampleRate: number }>;
  export default decode;
}
