/**
 * Browser mode: the built renderer and the same API as the desktop app, over HTTP + WebSocket on
 * 127.0.0.1 only. A random token made at launch is required: in the URL of the first page load
 * (it then lives in an HttpOnly, SameSite=Strict cookie) or on the WebSocket URL. Requests with a
 * foreign Origin or Host header (another site, DNS rebinding) are refused.
 *
 * Files larger than a message carries (wire.ts's INLINE_BYTES) come first by `POST /upload`, with
 * the same token and origin checks; the request then names the upload. No request can stop the
 * server: whatever a client sends (a frame over the size limit, text that isn't JSON, a URL that
 * doesn't parse, a connection dropped mid-call) is answered with an error or closes that one
 * connection, and is logged.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile, realpath } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, resolve, sep } from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import { ApiError } from '../../shared/api';
import { overLimitText } from '../../shared/sizes';
import { decodeWire, encodeWire, INLINE_BYTES } from '../../shared/wire';
import type { ApiService } from '../services/api-service';
import { MAX_UPLOAD_BYTES, Uploads } from './uploads';

/**
 * The largest WebSocket message taken (bytes): requests hold at most INLINE_BYTES of bytes, as
 * base64, with room to spare; a larger frame closes its connection (code 1009), nothing else.
 */
export const MAX_MESSAGE_BYTES = 16 * INLINE_BYTES;

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
  /** Where what went wrong with a client's request goes (default: stderr). */
  log?: (line: string) => void;
}): Promise<WebServer> {
  const token = opts.token ?? randomBytes(24).toString('hex');
  const root = await realpath(opts.staticDir);
  const log = opts.log ?? ((line: string) => console.error(`Quench: ${line}`));
  const uploads = new Uploads();
  let origin = '';
  let host = '';

  /** Answers with plain text; `close` ends the connection after it (a body left unread). */
  const refuse = (res: ServerResponse, code: number, why: string, close = false): void => {
    res.writeHead(code, {
      'content-type': 'text/plain; charset=utf-8',
      ...(close ? { connection: 'close' } : {})
    });
    res.end(`${why}\n`);
  };

  /** `url` parsed against this server's origin, or undefined when it doesn't parse. */
  const parse = (url: string | undefined): URL | undefined => {
    try {
      return new URL(url ?? '/', origin);
    } catch {
      return undefined;
    }
  };

  /** POST /upload: the body kept in memory; answers {"upload": id} for the request to name. */
  const receive = (req: IncomingMessage, res: ServerResponse): void => {
    const declared = req.headers['content-length'];
    if (declared === undefined || !/^\d{1,15}$/.test(declared))
      return refuse(res, 411, 'an upload needs its length (Content-Length)', true);
    const size = Number(declared);
    if (size === 0) return refuse(res, 400, 'an upload holds at least 1 byte');
    if (size > MAX_UPLOAD_BYTES)
      return refuse(res, 413, overLimitText(size, MAX_UPLOAD_BYTES, 'a file sent to Quench'), true);
    if (!uploads.hasRoomFor(size))
      return refuse(res, 503, 'too many files are waiting to be used: try again in a minute', true);
    const body = new Uint8Array(size);
    let at = 0;
    req.on('data', (chunk: Buffer) => {
      // Node's parser never passes on more than Content-Length; the check keeps `set` in bounds.
      if (at + chunk.length <= size) body.set(chunk, at);
      at += chunk.length;
    });
    req.on('end', () => {
      if (at !== size)
        return refuse(res, 400, `the upload held ${at} bytes, not the ${size} announced`);
      const id = uploads.put(body);
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(JSON.stringify({ upload: id }));
    });
    // A page that goes away mid-upload: nothing is kept, the connection is gone.
    req.on('error', (e) => log(`an upload broke off: ${e.message}`));
  };

  const answer = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (req.headers.host !== host) return refuse(res, 403, 'wrong host');
    if (req.headers.origin !== undefined && req.headers.origin !== origin)
      return refuse(res, 403, 'foreign origin');
    const url = parse(req.url);
    if (!url) return refuse(res, 400, 'bad request');
    const given = url.searchParams.get('token') ?? cookieToken(req);
    if (req.method === 'POST' && url.pathname === '/upload') {
      // Stricter than a page load: a page's own upload always says where it comes from.
      if (req.headers.origin !== origin || !sameToken(given ?? undefined, token))
        return refuse(res, 403, 'uploads come from the Quench page only', true);
      return receive(req, res);
    }
    if (req.method !== 'GET' && req.method !== 'HEAD')
      return refuse(res, 405, 'method not allowed', true);
    if (!sameToken(given ?? undefined, token))
      return refuse(res, 403, 'this page needs the link Quench printed at start');
    let path: string;
    try {
      path = decodeURIComponent(url.pathname === '/' ? '/index.html' : url.pathname);
    } catch {
      return refuse(res, 400, 'bad request');
    }
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
  };

  const server: Server = createServer((req, res) => {
    answer(req, res).catch((e: Error) => {
      log(`${req.method} ${req.url}: ${e.message}`);
      if (!res.headersSent) refuse(res, 500, `internal error: ${e.message}`, true);
      else res.destroy();
    });
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
  wss.on('error', (e) => log(`the WebSocket server: ${e.message}`));
  server.on('upgrade', (req, socket, head) => {
    // Until ws takes the socket over, nothing else listens for its errors (a reset, …).
    const broke = (e: Error) => log(`a connection broke off: ${e.message}`);
    socket.on('error', broke);
    const url = parse(req.url);
    const ok =
      url !== undefined &&
      req.headers.host === host &&
      req.headers.origin === origin &&
      url.pathname === '/api' &&
      sameToken(url.searchParams.get('token') ?? cookieToken(req), token);
    if (!ok) {
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n');
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      socket.off('error', broke);
      serve(ws);
    });
  });

  /** Sends `value` if the connection is still open (a page may close it mid-call). */
  const send = (ws: WebSocket, value: unknown): void => {
    if (ws.readyState !== ws.OPEN) return;
    ws.send(encodeWire(value), (e) => {
      if (e) log(`an answer was not delivered: ${e.message}`);
    });
  };

  const errorText = (e: unknown): string =>
    e instanceof ApiError ? e.message : `internal error: ${(e as Error).message}`;

  /** One request: answered with its result, or with the error (null id when it had none). */
  const call = async (ws: WebSocket, data: Buffer, isBinary: boolean): Promise<void> => {
    let id: number | null = null;
    try {
      if (isBinary) throw new ApiError('requests are JSON text, not binary messages');
      const text = data.toString('utf8');
      // The id first, so that a payload that doesn't decode is still answered to its caller.
      const head = JSON.parse(text) as { id?: unknown } | null;
      if (typeof head?.id !== 'number') throw new ApiError('each request needs a numeric id');
      id = head.id;
      const msg = decodeWire(text, { upload: uploads.take }) as {
        method?: unknown;
        payload?: unknown;
      };
      const result = await opts.api.handle(msg.method, msg.payload);
      try {
        send(ws, { id, ok: true, result });
      } catch (e) {
        // Too large to encode (a string's length has a limit): the page hears why.
        send(ws, {
          id,
          ok: false,
          error: `internal error: the answer can't be sent (${(e as Error).message})`
        });
      }
    } catch (e) {
      send(ws, { id, ok: false, error: errorText(e) });
    }
  };

  const serve = (ws: WebSocket): void => {
    const off = opts.api.subscribe((event, payload) => {
      try {
        send(ws, { event, payload });
      } catch (e) {
        log(`the event ${event} was not sent: ${(e as Error).message}`);
      }
    });
    ws.on('close', off);
    // A frame over MAX_MESSAGE_BYTES or broken framing: ws closes this connection (1009, 1002 …)
    // and reports it here; unheard, the error would end the process.
    ws.on('error', (e) => log(`a WebSocket connection was closed: ${e.message}`));
    ws.on('message', (data, isBinary) => {
      const bytes = Buffer.isBuffer(data)
        ? data
        : Array.isArray(data)
          ? Buffer.concat(data)
          : Buffer.from(data);
      call(ws, bytes, isBinary).catch((e: Error) => log(`a request failed: ${e.message}`));
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
  // Listening: an error now (too many open files on accept, …) is one connection's, not fatal.
  server.on('error', (e) => log(`the HTTP server: ${e.message}`));
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
        uploads.clear();
        server.close(() => done());
        server.closeAllConnections();
      })
  };
}
