/**
 * Browser mode: the built renderer and the same API as the desktop app, over HTTP + WebSocket on
 * 127.0.0.1 only. A random token made at launch is required: in the URL of the first page load
 * (it then lives in an HttpOnly, SameSite=Strict cookie) or on the WebSocket URL. Requests with a
 * foreign Origin or Host header (another site, DNS rebinding) are refused.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile, realpath } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, resolve, sep } from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import { ApiError } from '../../shared/api';
import { decodeWire, encodeWire } from '../../shared/wire';
import type { ApiService } from '../services/api-service';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2'
};

const CSP =
  "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'; " +
  "img-src 'self' blob: data:; media-src 'self' blob:; connect-src 'self' ws://127.0.0.1:*; " +
  "worker-src 'self' blob:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

export interface WebServer {
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

function sameToken(given: string | undefined, token: string): boolean {
  if (!given || given.length !== token.length) return false;
  return timingSafeEqual(Buffer.from(given), Buffer.from(token));
}

function cookieToken(req: IncomingMessage): string | undefined {
  const m = /(?:^|;\s*)quench_token=([0-9a-f]+)/.exec(req.headers.cookie ?? '');
  return m?.[1];
}

export async function startWebServer(opts: {
  api: ApiService;
  staticDir: string;
  /** A port to listen on; 0 or absent: any free one. */
  port?: number;
  /**
   * A port to try first, any free one when it is taken: the same port from launch to launch keeps
   * the page's origin, so what the browser stores for it (Live settings) is there next time.
   */
  preferredPort?: number;
  token?: string;
}): Promise<WebServer> {
  const token = opts.token ?? randomBytes(24).toString('hex');
  const root = await realpath(opts.staticDir);
  let origin = '';
  let host = '';

  const refuse = (res: ServerResponse, code: number, why: string): void => {
    res.writeHead(code, { 'content-type': 'text/plain; charset=utf-8' });
    res.end(`${why}\n`);
  };

  const server: Server = createServer((req, res) => {
    void (async () => {
      if (req.headers.host !== host) return refuse(res, 403, 'wrong host');
      if (req.headers.origin !== undefined && req.headers.origin !== origin)
        return refuse(res, 403, 'foreign origin');
      if (req.method !== 'GET' && req.method !== 'HEAD')
        return refuse(res, 405, 'method not allowed');
      const url = new URL(req.url ?? '/', origin);
      const given = url.searchParams.get('token') ?? cookieToken(req);
      if (!sameToken(given ?? undefined, token))
        return refuse(res, 403, 'this page needs the link Quench printed at start');
      const path = decodeURIComponent(url.pathname === '/' ? '/index.html' : url.pathname);
      const file = resolve(root, `.${path}`);
      if (file !== root && !file.startsWith(root + sep)) return refuse(res, 404, 'not found');
      let body: Buffer;
      try {
        body = await readFile(file);
      } catch {
        return refuse(res, 404, 'not found');
      }
      res.writeHead(200, {
        'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
        'content-security-policy': CSP,
        'x-content-type-options': 'nosniff',
        'referrer-policy': 'no-referrer',
        'cache-control': 'no-store',
        'set-cookie': `quench_token=${token}; HttpOnly; SameSite=Strict; Path=/`
      });
      res.end(req.method === 'HEAD' ? undefined : body);
    })();
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: 80 * 1024 * 1024 });
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', origin);
    const ok =
      req.headers.host === host &&
      req.headers.origin === origin &&
      url.pathname === '/api' &&
      sameToken(url.searchParams.get('token') ?? cookieToken(req), token);
    if (!ok) {
      socket.write('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n');
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => serve(ws));
  });

  const serve = (ws: WebSocket): void => {
    const off = opts.api.subscribe((event, payload) => {
      if (ws.readyState === ws.OPEN) ws.send(encodeWire({ event, payload }));
    });
    ws.on('close', off);
    ws.on('message', (data) => {
      void (async () => {
        let id: unknown = null;
        try {
          const msg = decodeWire(String(data)) as {
            id?: unknown;
            method?: unknown;
            payload?: unknown;
          };
          id = msg.id;
          if (typeof id !== 'number') throw new ApiError('each request needs a numeric id');
          const result = await opts.api.handle(msg.method, msg.payload);
          ws.send(encodeWire({ id, ok: true, result }));
        } catch (e) {
          const message =
            e instanceof ApiError ? e.message : `internal error: ${(e as Error).message}`;
          ws.send(encodeWire({ id, ok: false, error: message }));
        }
      })();
    });
  };

  const listen = (port: number) =>
    new Promise<void>((done, fail) => {
      server.once('error', fail);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', fail);
        done();
      });
    });
  if (opts.port === undefined && opts.preferredPort !== undefined) {
    await listen(opts.preferredPort).catch((e: NodeJS.ErrnoException) => {
      if (e.code !== 'EADDRINUSE' && e.code !== 'EACCES') throw e;
      return listen(0);
    });
  } else await listen(opts.port ?? 0);
  const port = (server.address() as AddressInfo).port;
  host = `127.0.0.1:${port}`;
  origin = `http://${host}`;
  return {
    url: `${origin}/?token=${token}`,
    port,
    token,
    close: () =>
      new Promise<void>((done) => {
        for (const c of wss.clients) c.terminate();
        wss.close();
        server.close(() => done());
        server.closeAllConnections();
      })
  };
}
