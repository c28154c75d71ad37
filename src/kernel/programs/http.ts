/**
 * HTTP/1.x over the simulated TCP: a small server other layers use to make images answer
 * (`startHttpServer`; nginx answers with its hostname), the message parsing both sides share,
 * and the client exchange wget and curl are built on.
 *
 * Models: RFC 9112 message syntax (request line, header fields, Content-Length framing, or the
 * end of the connection as the end of the body); every exchange is one request per connection
 * with `Connection: close`, as busybox wget and httpd do.
 * Leaves out: keep-alive, chunked transfer coding (a chunked body is passed through undecoded),
 * pipelining, 100-continue, TLS.
 */
import { formatIpv4, type Ipv4 } from '../../packet/index.js';
import type { NetNamespace } from '../netns.js';
import { socketsOf, sockOk, type Errno, type SockResult, type SocketFamily, type SocketOwner, type TcpSocket } from '../sockets/index.js';

export interface HttpRequest {
  readonly method: string;
  readonly target: string;
  readonly version: string;
  readonly headers: readonly (readonly [string, string])[];
  readonly body: Uint8Array;
  readonly remoteAddr: Ipv4;
  readonly remotePort: number;
  readonly localAddr: Ipv4;
  readonly localPort: number;
}

export interface HttpResponse {
  readonly status: number;
  readonly reason?: string;
  /** Header fields in order; Content-Length and Connection are added when missing. */
  readonly headers?: readonly (readonly [string, string])[];
  readonly body?: string | Uint8Array;
  /** Send only the head (a HEAD request). */
  readonly headOnly?: boolean;
}

export type HttpHandler = (req: HttpRequest) => HttpResponse;

export interface HttpServer {
  readonly socket: TcpSocket;
  close(): void;
}

export interface HttpServerOptions {
  /** Bind address; default the wildcard. */
  readonly address?: Ipv4;
  readonly owner?: SocketOwner;
  /** `inet6` for a dual-stack listener (`ss` shows `*:80`), as nginx and busybox httpd open. */
  readonly family?: SocketFamily;
  readonly backlog?: number;
  /** Spell the framing headers `Content-length` as busybox httpd does. */
  readonly lowercaseLength?: boolean;
}

export const REASONS: Readonly<Record<number, string>> = {
  200: 'OK',
  201: 'Created',
  204: 'No Content',
  301: 'Moved Permanently',
  302: 'Found',
  304: 'Not Modified',
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  500: 'Internal Server Error',
  501: 'Not Implemented',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

const encoder = new TextEncoder();
const decoder = new TextDecoder('latin1');

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

/** Index of the blank line ending a message head, or -1. */
function headEnd(buf: Uint8Array): number {
  for (let i = 0; i + 3 < buf.length; i++) {
    if (buf[i] === 13 && buf[i + 1] === 10 && buf[i + 2] === 13 && buf[i + 3] === 10) return i;
  }
  return -1;
}

export interface ParsedHead {
  readonly startLine: string;
  readonly headers: readonly (readonly [string, string])[];
  readonly bodyStart: number;
}

/** Splits a message head off `buf`, when it is complete. */
export function parseHead(buf: Uint8Array): ParsedHead | undefined {
  const end = headEnd(buf);
  if (end < 0) return undefined;
  const lines = decoder.decode(buf.subarray(0, end)).split('\r\n');
  const headers: [string, string][] = [];
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    headers.push([line.slice(0, colon), line.slice(colon + 1).trim()]);
  }
  return { startLine: lines[0] ?? '', headers, bodyStart: end + 4 };
}

export function headerValue(headers: readonly (readonly [string, string])[], name: string): string | undefined {
  const lower = name.toLowerCase();
  for (const [k, v] of headers) if (k.toLowerCase() === lower) return v;
  return undefined;
}

/** The bytes of a response message. */
export function serializeResponse(res: HttpResponse, options: { lowercaseLength?: boolean } = {}): Uint8Array {
  const body = res.body === undefined ? new Uint8Array(0) : typeof res.body === 'string' ? encoder.encode(res.body) : res.body;
  const headers = [...(res.headers ?? [])];
  if (headerValue(headers, 'connection') === undefined) headers.push(['Connection', 'close']);
  if (headerValue(headers, 'content-length') === undefined) headers.push([options.lowercaseLength === true ? 'Content-length' : 'Content-Length', String(body.length)]);
  let head = `HTTP/1.1 ${res.status} ${res.reason ?? REASONS[res.status] ?? ''}\r\n`;
  for (const [k, v] of headers) head += `${k}: ${v}\r\n`;
  head += '\r\n';
  const headBytes = encoder.encode(head);
  return res.headOnly === true ? headBytes : concat(headBytes, body);
}

/**
 * Serves HTTP on `port` of `ns` until `close()`: each connection carries one request, answered
 * by `handler`, then closed by the server.
 */
export function startHttpServer(ns: NetNamespace, port: number, handler: HttpHandler, options: HttpServerOptions = {}): SockResult<HttpServer> {
  const listener = socketsOf(ns).tcp({ ...(options.owner === undefined ? {} : { owner: options.owner }), family: options.family ?? 'inet' });
  const bound = listener.bind(options.address ?? 0, port);
  if (!bound.ok) {
    listener.close();
    return bound;
  }
  const listening = listener.listen(options.backlog ?? 511);
  if (!listening.ok) {
    listener.close();
    return listening;
  }
  listener.onAccept = conn => serveConnection(conn, handler, options);
  return sockOk({ socket: listener, close: () => listener.close() });
}

function serveConnection(conn: TcpSocket, handler: HttpHandler, options: HttpServerOptions): void {
  let buf: Uint8Array = new Uint8Array(0);
  let answered = false;
  const tryAnswer = (eof: boolean): void => {
    if (answered) return;
    const head = parseHead(buf);
    if (head === undefined) {
      if (eof) conn.close();
      return;
    }
    const length = Number(headerValue(head.headers, 'content-length') ?? '0');
    if (!eof && buf.length - head.bodyStart < length) return;
    answered = true;
    const [method = '', target = '/', version = 'HTTP/1.0'] = head.startLine.split(' ');
    const req: HttpRequest = {
      method,
      target,
      version,
      headers: head.headers,
      body: buf.subarray(head.bodyStart, head.bodyStart + length),
      remoteAddr: conn.remoteAddr,
      remotePort: conn.remotePort,
      localAddr: conn.localAddr,
      localPort: conn.localPort,
    };
    const res = handler(req);
    conn.send(serializeResponse({ ...res, headOnly: res.headOnly === true || method === 'HEAD' }, options.lowercaseLength === true ? { lowercaseLength: true } : {}));
    conn.close();
  };
  conn.onData = bytes => {
    buf = concat(buf, bytes);
    tryAnswer(false);
  };
  conn.onEnd = () => tryAnswer(true);
}

/** An HTTP URL split up; undefined when it is not `http://`. */
export interface HttpUrl {
  readonly scheme: 'http' | 'https';
  readonly host: string;
  readonly port: number;
  /** `host[:port]` as written, for the Host header and messages. */
  readonly hostPort: string;
  readonly path: string;
}

export function parseHttpUrl(text: string, defaultScheme?: 'http'): HttpUrl | undefined {
  let rest: string;
  let scheme: 'http' | 'https';
  if (text.startsWith('http://')) {
    scheme = 'http';
    rest = text.slice(7);
  } else if (text.startsWith('https://')) {
    scheme = 'https';
    rest = text.slice(8);
  } else if (defaultScheme !== undefined && !/^[a-z]+:\/\//i.test(text)) {
    scheme = defaultScheme;
    rest = text;
  } else {
    return undefined;
  }
  const cut = rest.search(/[/?#]/);
  const hostPort = cut < 0 ? rest : rest.slice(0, cut);
  let path = cut < 0 ? '/' : rest.slice(cut);
  if (path.startsWith('#')) path = '/';
  if (path.startsWith('?')) path = `/${path}`;
  path = path.replace(/#.*$/, '');
  const at = hostPort.lastIndexOf('@');
  const hp = at >= 0 ? hostPort.slice(at + 1) : hostPort;
  const m = /^(.*?)(?::(\d+))?$/.exec(hp);
  const host = m?.[1] ?? hp;
  const port = m?.[2] !== undefined ? Number(m[2]) : scheme === 'http' ? 80 : 443;
  if (host === '') return undefined;
  return { scheme, host, port, hostPort: hp, path };
}

/** A response as a client sees it. */
export interface HttpReply {
  readonly statusLine: string;
  readonly status: number;
  readonly headers: readonly (readonly [string, string])[];
  readonly body: Uint8Array;
}

export interface ExchangeEvents {
  readonly onConnect?: () => void;
  /** The connection failed before a response (ECONNREFUSED, ETIMEDOUT, EHOSTUNREACH...). */
  readonly onError: (errno: Errno, connected: boolean) => void;
  readonly onReply: (reply: HttpReply) => void;
  /** The response head arrived (for -S / -v output before the body). */
  readonly onHead?: (reply: Omit<HttpReply, 'body'>) => void;
}

/**
 * One HTTP exchange from `sock` (already opened by the caller) to `dst:port`: connect, send
 * `request`, read until the peer closes (or Content-Length is reached), then close.
 */
export function httpExchange(sock: TcpSocket, dst: Ipv4, port: number, request: string, events: ExchangeEvents): void {
  let buf: Uint8Array = new Uint8Array(0);
  let connected = false;
  let done = false;
  let headSeen = false;
  const complete = (): void => {
    if (done) return;
    const head = parseHead(buf);
    if (head === undefined) {
      done = true;
      events.onError('ECONNRESET', true);
      return;
    }
    done = true;
    const status = Number(head.startLine.split(' ')[1] ?? '0');
    const length = headerValue(head.headers, 'content-length');
    const body = buf.subarray(head.bodyStart, length === undefined ? buf.length : head.bodyStart + Number(length));
    sock.close();
    events.onReply({ statusLine: head.startLine, status, headers: head.headers, body });
  };
  sock.onConnect = () => {
    connected = true;
    events.onConnect?.();
    sock.send(request);
  };
  sock.onData = bytes => {
    buf = concat(buf, bytes);
    const head = parseHead(buf);
    if (head === undefined) return;
    if (!headSeen) {
      headSeen = true;
      events.onHead?.({ statusLine: head.startLine, status: Number(head.startLine.split(' ')[1] ?? '0'), headers: head.headers });
    }
    const length = headerValue(head.headers, 'content-length');
    if (length !== undefined && buf.length - head.bodyStart >= Number(length)) complete();
  };
  sock.onEnd = () => complete();
  sock.onError = errno => {
    if (done) return;
    done = true;
    events.onError(errno, connected);
  };
  const started = sock.connect(dst, port);
  if (!started.ok) {
    done = true;
    events.onError(started.errno, false);
  }
}

/** `172.17.0.3:80`, for messages. */
export function addrPort(ip: Ipv4, port: number): string {
  return `${formatIpv4(ip)}:${port}`;
}
