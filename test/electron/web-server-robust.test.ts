/**
 * The browser-mode server, in its own process as `npm run web` runs it, against clients that send
 * what they shouldn't: a WebSocket frame over the size limit, messages that aren't requests, URLs
 * that don't parse, a connection closed mid-call. Each is refused or closes that one connection;
 * the process keeps running and keeps answering. Large files travel by `POST /upload` (token and
 * origin checked, size limited) and the request names the upload.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { connect as tcp } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, test } from 'vitest';
import WebSocket from 'ws';
import { encodeWav } from '../../core/features/wav';
import { validateRequest } from '../../electron/shared/api';
import { decodeWire, encodeWire } from '../../electron/shared/wire';

const CHILD = join(import.meta.dirname, 'web-child.ts');
const root = mkdtempSync(join(tmpdir(), 'quench-web-robust-'));
mkdirSync(join(root, 'static'));
writeFileSync(join(root, 'static', 'index.html'), '<!doctype html><title>Quench</title>');
afterAll(() => rmSync(root, { recursive: true, force: true }));

interface Served {
  port: number;
  token: string;
  origin: string;
  child: ChildProcess;
  /** What the server logged so far. */
  log(): string;
}

let running: Served | undefined;
afterEach(() => {
  running?.child.kill('SIGTERM');
  running = undefined;
});

/** Starts the server in a child process; resolves once it listens. */
function serve(): Promise<Served> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, root], {
      stdio: ['ignore', 'pipe', 'pipe']
    });
    let err = '';
    let out = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (!out.includes('\n')) return;
      const { port, token } = JSON.parse(out.split('\n')[0]) as { port: number; token: string };
      running = { port, token, origin: `http://127.0.0.1:${port}`, child, log: () => err };
      resolve(running);
    });
    child.on('exit', (code) => reject(new Error(`the server exited (${code}): ${err}`)));
  });
}

/** What a request holds in place of bytes sent by upload (wire.ts). */
const uploadRef = (id: string) => ({ $upload: id });
const MB = 1024 ** 2;

/** True while the server's process runs. */
const alive = (s: Served) => s.child.exitCode === null && s.child.signalCode === null;

function connect(s: Served): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${s.port}/api?token=${s.token}`, {
      origin: s.origin
    });
    ws.on('open', () => resolve(ws));
    ws.on('error', reject);
  });
}

interface Reply {
  id: number | null;
  ok: boolean;
  result?: unknown;
  error?: string;
}

/** The next `n` replies on `ws` (events skipped). */
function replies(ws: WebSocket, n: number): Promise<Reply[]> {
  return new Promise((resolve) => {
    const got: Reply[] = [];
    const onMessage = (data: WebSocket.RawData) => {
      const msg = decodeWire(String(data)) as Reply & { event?: string };
      if (msg.event) return;
      got.push(msg);
      if (got.length === n) {
        ws.off('message', onMessage);
        resolve(got);
      }
    };
    ws.on('message', onMessage);
  });
}

async function ask(ws: WebSocket, id: number, method: string, payload: unknown): Promise<Reply> {
  const reply = replies(ws, 1);
  ws.send(encodeWire({ id, method, payload }));
  return (await reply)[0];
}

/** The server answers a request on a new connection, and its process still runs. */
async function stillServing(s: Served): Promise<void> {
  const ws = await connect(s);
  const list = await ask(ws, 1, 'project:list', {});
  ws.close();
  expect(list.ok).toBe(true);
  expect(alive(s)).toBe(true);
}

/** Writes `text` on a raw TCP connection; resolves with all the server answered. */
function raw(s: Served, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tcp(s.port, '127.0.0.1', () => socket.write(text));
    let got = '';
    socket.on('data', (d) => (got += d.toString()));
    socket.on('close', () => resolve(got));
    socket.on('error', reject);
    socket.setTimeout(5000, () => socket.destroy());
  });
}

/** POSTs `body` to /upload with the given headers; resolves with status and text. */
function post(
  s: Served,
  headers: Record<string, string | number>,
  body?: Uint8Array
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port: s.port, path: '/upload', method: 'POST', headers },
      (res) => {
        let text = '';
        res.on('data', (c) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode!, text }));
      }
    );
    req.on('error', reject);
    if (body) req.end(body);
    else req.flushHeaders(); // headers only: the server must answer without the body
  });
}

/** 3 s of 16 kHz noise as WAV: over a message's inline bytes, so it travels by upload. */
function take(): Uint8Array {
  let seed = 7;
  const x = Float32Array.from({ length: 48000 * 3 }, () => {
    seed = (seed * 1103515245 + 12345) >>> 0;
    return 0.2 * (seed / 2 ** 32 - 0.5) + 0.3 * Math.sin(seed % 100);
  });
  return encodeWav([x], 48000);
}

describe('the server never exits on what a client sends', () => {
  test('a frame over the message limit closes that connection only; garbage gets errors', async () => {
    const s = await serve();
    const ws = await connect(s);
    ws.on('error', () => {}); // the connection is expected to go
    const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
    // More than the old 80 MB limit too: a file sent inline by the old page.
    ws.send(Buffer.alloc(81 * MB, 0x61));
    expect(await closed).toBe(1009); // "message too big", not the process gone (1006)
    expect(s.log()).toMatch(/Max payload size exceeded/);
    await stillServing(s);

    // Messages that aren't requests: each answered with the reason, in order.
    const ws2 = await connect(s);
    const got = replies(ws2, 6);
    ws2.send('not JSON at all');
    ws2.send(Buffer.from(encodeWire({ id: 1, method: 'project:list', payload: {} })), {
      binary: true
    });
    ws2.send('null');
    ws2.send(JSON.stringify({ id: 'x', method: 'project:list', payload: {} }));
    ws2.send(JSON.stringify({ id: 5, method: 'project:list', payload: { x: { $bytes: 5 } } }));
    ws2.send(JSON.stringify({ id: 6, method: 'project:list', payload: { x: uploadRef('nope') } }));
    const r = await got;
    expect(r.every((m) => !m.ok)).toBe(true);
    expect(r.map((m) => m.id)).toEqual([null, null, null, null, 5, 6]);
    expect(r[0].error).toMatch(/JSON/);
    expect(r[1].error).toMatch(/JSON text, not binary/);
    expect(r[2].error).toMatch(/numeric id/);
    expect(r[3].error).toMatch(/numeric id/);
    expect(r[4].error).toMatch(/\$bytes must be base64/);
    expect(r[5].error).toMatch(/no longer on the Quench server/);

    // A connection closed while its request is being worked on: nobody to answer, no harm.
    const created = await ask(ws2, 7, 'project:create', { name: 'Robust', kind: 'audio' });
    const project = (created.result as { id: string }).id;
    await ask(ws2, 8, 'class:add', { project, name: 'background' });
    const ws3 = await connect(s);
    ws3.send(
      encodeWire({
        id: 1,
        method: 'sample:inspect',
        payload: { project, className: 'background', name: 'noise.wav', bytes: take() }
      })
    );
    ws3.terminate();
    await new Promise((done) => setTimeout(done, 1500));
    ws2.close();
    await stillServing(s);
  }, 60_000);

  test('URLs that do not parse are refused with 400/403, page loads and upgrades alike', async () => {
    const s = await serve();
    const host = `Host: 127.0.0.1:${s.port}\r\n`;
    const get = await raw(s, `GET // HTTP/1.1\r\n${host}Connection: close\r\n\r\n`);
    expect(get).toMatch(/^HTTP\/1\.1 400/);
    const badEscape = await raw(
      s,
      `GET /%E0%A4%A?token=${s.token} HTTP/1.1\r\n${host}Connection: close\r\n\r\n`
    );
    expect(badEscape).toMatch(/^HTTP\/1\.1 400/);
    const upgrade = await raw(
      s,
      `GET // HTTP/1.1\r\n${host}Origin: ${s.origin}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n` +
        `Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`
    );
    expect(upgrade).toMatch(/^HTTP\/1\.1 403/);
    await stillServing(s);
  }, 60_000);
});

describe('large files by upload', () => {
  test('an upload with the token from the page is named by the request that uses it, once', async () => {
    const s = await serve();
    const wav = take();
    const cookie = `quench_token=${s.token}`;
    const sent = await post(
      s,
      { origin: s.origin, cookie, 'content-type': 'application/octet-stream' },
      wav
    );
    expect(sent.status).toBe(200);
    const id = (JSON.parse(sent.text) as { upload: string }).upload;
    expect(id).toMatch(/^[0-9a-f]{32}$/);

    const ws = await connect(s);
    const created = await ask(ws, 1, 'project:create', { name: 'Uploads', kind: 'audio' });
    const project = (created.result as { id: string }).id;
    await ask(ws, 2, 'class:add', { project, name: 'background' });
    const req = { project, className: 'background', name: 'room.wav', bytes: uploadRef(id) };
    const added = await ask(ws, 3, 'sample:import', req);
    expect(added).toMatchObject({ ok: true, result: { name: 'room.wav', clips: 3 } });
    // Taken: a second request naming it is told so.
    const again = await ask(ws, 4, 'sample:import', req);
    expect(again).toMatchObject({ ok: false, error: expect.stringMatching(/no longer/) });
    ws.close();
  }, 60_000);

  test('an upload without the token, from another origin, or over the limit is refused', async () => {
    const s = await serve();
    const body = new Uint8Array(10);
    const cookie = `quench_token=${s.token}`;
    expect((await post(s, { origin: s.origin }, body)).status).toBe(403);
    expect((await post(s, { origin: 'http://evil.example', cookie }, body)).status).toBe(403);
    expect((await post(s, { cookie }, body)).status).toBe(403); // a page's upload says its origin
    // Refused from its announced length, before any of the body is read.
    const huge = await post(s, { origin: s.origin, cookie, 'content-length': 600 * MB });
    expect(huge).toEqual({
      status: 413,
      text: '600 MB is over the 512 MB a file sent to Quench may be\n'
    });
    await stillServing(s);
  }, 60_000);
});

describe('file limits', () => {
  test('a file over its limit is refused with its size and the limit, in MB', () => {
    // Lazily zeroed: no memory is touched.
    const sample = new Uint8Array(300 * MB);
    expect(() =>
      validateRequest('sample:import', {
        project: 'p1234567',
        className: 'yes',
        name: 'long.wav',
        bytes: sample
      })
    ).toThrow('sample:import: bytes: 300 MB is over the 256 MB a sound file or picture may be');
    const project = new Uint8Array(532 * MB);
    expect(() =>
      validateRequest('project:import-file', { name: 'big.quench', bytes: project })
    ).toThrow('project:import-file: bytes: 532 MB is over the 512 MB a project file may be');
    // A 6 min 48 kHz stereo recording (69 MB) is within the limit.
    expect(() =>
      validateRequest('sample:import', {
        project: 'p1234567',
        className: 'yes',
        name: 'six minutes.wav',
        bytes: new Uint8Array(44 + 6 * 60 * 48000 * 2 * 2)
      })
    ).not.toThrow();
  });
});
