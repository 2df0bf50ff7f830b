/**
 * A file over the size a sound file or picture may be is refused by name with its size and the
 * limit before any of it is read or sent; one within the limit, however large, goes to the server.
 */
import { expect, test } from 'vitest';
import type { QuenchApi } from '../../../electron/shared/api';
import { FileImport, type PickedFile } from './file-import.svelte';

const MB = 1024 ** 2;

test('a file over the limit is refused unread; a 66 MB recording is sent', async () => {
  const sent: { method: string; bytes: number }[] = [];
  const api: QuenchApi = {
    call: (async (method: string, req: { name: string; bytes: Uint8Array }) => {
      sent.push({ method, bytes: req.bytes.length });
      return method === 'sample:inspect'
        ? { name: req.name, kind: 'audio', clips: [], envelope: [], background: true, warnings: [] }
        : { className: 'background', name: req.name, file: req.name, clips: 360, warnings: [] };
    }) as unknown as QuenchApi['call'],
    on: () => () => {}
  };
  const read: string[] = [];
  const file = (name: string, size: number): PickedFile => ({
    name,
    size,
    arrayBuffer: async () => {
      read.push(name);
      return new ArrayBuffer(size);
    }
  });
  const flow = new FileImport(api);
  const outcome = await flow.add(
    [file('huge.wav', 300 * MB), file('six minutes.wav', 69_120_044)],
    'p1',
    'background'
  );
  expect(flow.refused).toEqual([
    { name: 'huge.wav', reason: '300 MB is over the 256 MB a sound file or picture may be' }
  ]);
  expect(read).toEqual(['six minutes.wav']);
  expect(sent).toEqual([
    { method: 'sample:inspect', bytes: 69_120_044 },
    { method: 'sample:import', bytes: 69_120_044 }
  ]);
  expect(outcome).toMatchObject({ added: 1, clips: 360, refused: 1 });
});
