/**
 * The exporter's HTTP server (node:http, no framework): GET or HEAD `/metrics`
 * serves the exposition of the last pass from memory, `/` a short page linking
 * to it, anything else 404, other methods 405.
 *
 * Bounded against clients that misbehave: a request must arrive whole within
 * the client timeout (headersTimeout, requestTimeout, checked every second or
 * sooner), a connection idle between requests is closed after it (or 5 s), a
 * stalled one after twice it, connections beyond the cap are
 * closed on accept, and a request that does not parse gets 400 and a closed
 * connection. None of this stops the server.
 */
import * as http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { Exit, exitForErrno, failed, permissionDenied, usageError, type PowercapError } from '../errors.js';
import { OPENMETRICS_CONTENT_TYPE, TEXT_CONTENT_TYPE, acceptsGzip, wantsOpenMetrics } from './exposition.js';

export interface ExporterServerOptions {
  /** the exposition of the last pass */
  exposition(openMetrics: boolean, gzip: boolean): Buffer;
  /** the HTML of `/` */
  homePage: string;
  maxConnections: number;
  clientTimeoutMs: number;
  /** a client was turned away (bad request, timeout): for --verbose */
  onClientError?(message: string): void;
}

const STATUS_LINE: Record<string, string> = {
  ERR_HTTP_REQUEST_TIMEOUT: '408 Request Timeout',
  HPE_HEADER_OVERFLOW: '431 Request Header Fields Too Large',
};

export function createExporterServer(o: ExporterServerOptions): http.Server {
  const keepAlive = Math.min(5000, o.clientTimeoutMs);
  const server = http.createServer(
    {
      headersTimeout: o.clientTimeoutMs,
      requestTimeout: o.clientTimeoutMs,
      keepAliveTimeout: keepAlive,
      connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(o.clientTimeoutMs / 4))),
      maxHeaderSize: 8192,
    },
    (req, res) => handle(o, req, res),
  );
  server.maxConnections = o.maxConnections;
  server.maxHeadersCount = 64;
  // a stalled connection (a client that stops reading its response, too) is closed; after the
  // header timeout, so that a request that never ends gets its 408 first
  server.setTimeout(2 * o.clientTimeoutMs, (socket: Socket) => socket.destroy());
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => {
    o.onClientError?.(`client ${socket.remoteAddress ?? '?'}: ${err.code ?? err.message}`);
    if (!socket.writable || err.code === 'ECONNRESET') {
      socket.destroy();
      return;
    }
    const status = STATUS_LINE[err.code ?? ''] ?? '400 Bad Request';
    // written, then closed: end() alone can leave a socket the parser has let go of half-open
    socket.write(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`, () => socket.destroy());
  });
  return server;
}

function handle(o: ExporterServerOptions, req: http.IncomingMessage, res: http.ServerResponse): void {
  const path = (req.url ?? '/').split('?')[0];
  const known = path === '/metrics' || path === '/';
  if (!known) return plain(res, 404, 'not found: the metrics are at /metrics\n');
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('Allow', 'GET, HEAD');
    return plain(res, 405, `method ${req.method} not allowed: use GET\n`);
  }
  if (path === '/') {
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Content-Length': Buffer.byteLength(o.homePage) });
    res.end(req.method === 'HEAD' ? undefined : o.homePage);
    return;
  }
  const om = wantsOpenMetrics(req.headers.accept);
  const gzip = acceptsGzip(req.headers['accept-encoding']);
  const body = o.exposition(om, gzip);
  const headers: http.OutgoingHttpHeaders = {
    'Content-Type': om ? OPENMETRICS_CONTENT_TYPE : TEXT_CONTENT_TYPE,
    'Content-Length': body.length,
    'Cache-Control': 'no-store',
    Vary: 'Accept, Accept-Encoding',
  };
  if (gzip) headers['Content-Encoding'] = 'gzip';
  res.writeHead(200, headers);
  res.end(req.method === 'HEAD' ? undefined : body);
}

function plain(res: http.ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

/** `host:port` as a person types it back (IPv6 in brackets). */
export const formatHostPort = (host: string, port: number) => (host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`);

/** Why a listen failed, as the one error the CLI prints (exit 1, 2 or 4). */
export function listenError(err: NodeJS.ErrnoException, host: string, port: number): PowercapError {
  const where = formatHostPort(host, port);
  if (exitForErrno(err.code ?? '') === Exit.PERMISSION) {
    return permissionDenied(`cannot listen on ${where}: ports below 1024 need root or CAP_NET_BIND_SERVICE`, 'use the default port 9847, or another above 1023');
  }
  switch (err.code) {
    case 'EADDRINUSE':
      return failed(`cannot listen on ${where}: the port is in use`, undefined, 'address-in-use');
    case 'EADDRNOTAVAIL':
      return failed(`cannot listen on ${where}: ${host} is not an address of this machine`, 'use one of its addresses, 127.0.0.1 or 0.0.0.0 (all IPv4 addresses)');
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_NONAME':
      return usageError(`cannot listen on ${where}: unknown host ${host}`, 'give an IP address (127.0.0.1, 0.0.0.0, ::) or a name this machine resolves');
    default:
      return failed(`cannot listen on ${where}: ${err.code ?? err.message}`);
  }
}

/** Start listening; resolves with the bound address, rejects with listenError. */
export function listen(server: http.Server, host: string, port: number): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => reject(listenError(err, host, port));
    server.once('error', onError);
    server.listen({ host, port, exclusive: true }, () => {
      server.removeListener('error', onError);
      resolve(server.address() as AddressInfo);
    });
  });
}
