// audio-type ships no typings: one function from the first bytes of a file to a format name.
declare module 'audio-type' {
  export default function audioType(bytes: Uint8Array): string | undefined;
}
