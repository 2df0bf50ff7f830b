/**
 * The browser-mode server with real requests: bound to 127.0.0.1, page and API refused without
 * the token, with a wrong token, or from a foreign origin or host; with the token the page loads
 * and the WebSocket API answers (and refuses malformed payloads).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import WebSocket from 'ws';
import { ApiService } from '../../electron/main/services/api-service';
import { startWebServer, type WebServer } from '../../electron/main/web/server';
import { decodeWire, encodeWire } from '../../electron/shared/wire';

const root = mkdtempSync(join(tmpdir(), 'quench-web-'));
const api = new ApiService(join(root, 'projects'));
let server: WebServer;

beforeAll(async () => {
  mkdirSync(join(root, 'static'));
  writeFileSync(join(root, 'static', 'index.html'), '<!doctype html><title>Quench</title>');
  writeFileSync(join(root, 'secret.txt'), 'outside the static folder');
  server = await startWebServer({ api, staticDir: join(root, 'static') });
});
afterAll(async () => {
  await server.close();
  await api.close();
  rmSync(root, { recursive: true, force: true });
});

function get(
  path: string,
  headers: Record<string, string> = {}
): Promise<{ status: number; body: string; cookie?: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: server.port, path, headers }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () =>
        resolve({ status: res.statusCode!, body, cookie: res.headers['set-cookie']?.[0] })
      );
    });
    req.on('error', reject);
    req.end();
  });
}

function connect(query: string, origin?: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/api${query}`, {
      origin: origin ?? `http://127.0.0.1:${server.port}`
    });
    ws.on('open', () => resolve(ws));
    ws.on('error', reject);
    ws.on('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
  });
}

function ask(
  ws: WebSocket,
  id: number,
  method: string,
  payload: unknown
): Promise<{ ok: boolean; result?: unknown; error?: string }> {
  return new Promise((resolve) => {
    const onMessage = (data: WebSocket.RawData) => {
      const msg = decodeWire(String(data)) as { id: number; ok: boolean };
      if (msg.id === id) {
        ws.off('message', onMessage);
        resolve(msg);
      }
    };
    ws.on('message', onMessage);
    ws.send(encodeWire({ id, method, payload }));
  });
}

describe('page', () => {
  test('listens on 127.0.0.1 only and prints a link with the token', () => {
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/?token=${server.token}`);
    expect(server.token).toMatch(/^[0-9a-f]{48}$/);
  });

  test('the same port from launch to launch when it is free (the origin keeps its storage); another when taken', async () => {
    const staticDir = join(root, 'static');
    // A port that was free a moment ago, asked for by a first launch, then by a second.
    const free = await startWebServer({ api, staticDir });
    const port = free.port;
    await free.close();
    const first = await startWebServer({ api, staticDir, preferredPort: port });
    const second = await startWebServer({ api, staticDir, preferredPort: port });
    try {
      expect(first.port).toBe(port);
      expect(second.port).not.toBe(port);
      expect(second.port).toBeGreaterThan(0);
    } finally {
      await second.close();
      await first.close();
    }
    const again = await startWebServer({ api, staticDir, preferredPort: port });
    expect(again.port).toBe(port);
    await again.close();
  });

  test('refused without the token, with a wrong one, from another origin or host', async () => {
    expect((await get('/')).status).toBe(403);
    expect((await get('/?token=' + '0'.repeat(48))).status).toBe(403);
    expect((await get(`/?token=${server.token}`, { origin: 'http://evil.example' })).status).toBe(
      403
    );
    expect((await get(`/?token=${server.token}`, { host: 'evil.example' })).status).toBe(403);
  });

  test('served with the token, which then lives in a strict HttpOnly cookie; no path escapes', async () => {
    const r = await get(`/?token=${server.token}`);
    expect(r.status).toBe(200);
    expect(r.body).toContain('<title>Quench</title>');
    expect(r.cookie).toMatch(/HttpOnly; SameSite=Strict/);
    const cookie = r.cookie!.split(';')[0];
    expect((await get('/index.html', { cookie })).status).toBe(200);
    expect((await get('/../secret.txt', { cookie })).status).toBe(404);
    expect((await get('/%2e%2e/secret.txt', { cookie })).status).toBe(404);
  });
});

describe('WebSocket API', () => {
  test('refused without the token, with a wrong token, or from a foreign origin', async () => {
    await expect(connect('')).rejects.toThrow(/403/);
    await expect(connect('?token=nope')).rejects.toThrow(/403/);
    await expect(connect(`?token=${server.token}`, 'http://evil.example')).rejects.toThrow(/403/);
  });

  test('answers requests, bytes included, and refuses malformed ones', async () => {
    const ws = await connect(`?token=${server.token}`);
    const created = await ask(ws, 1, 'project:create', { name: 'Web', kind: 'vision' });
    expect(created.ok).toBe(true);
    const list = await ask(ws, 2, 'project:list', {});
    expect((list.result as { name: string }[]).map((p) => p.name)).toContain('Web');
    const bad = await ask(ws, 3, 'sample:add', {
      project: (created.result as { id: string }).id,
      className: 'x',
      bytes: new Uint8Array([1, 2, 3]),
      format: 'png'
    });
    expect(bad.ok).toBe(false);
    expect(bad.error).toMatch(/no class “x”/);
    const unknown = await ask(ws, 4, 'fs:readFile', { path: '/etc/passwd' });
    expect(unknown).toMatchObject({ ok: false, error: expect.stringMatching(/unknown method/) });
    ws.close();
  });
});
