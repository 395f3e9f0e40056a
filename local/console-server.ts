/**
 * Serves the operator console (console/dist, built by `npm run build:console`) and the
 * `config.json` it reads to find the API and the user pool. Loopback only; GET and HEAD only;
 * nothing outside the build folder is reachable. The same security headers as the deployed
 * site.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { realtimeUrl } from '../console/src/realtime-url.ts';
import type { SiteConfig } from '../console/src/site-config.ts';
import { userPoolOrigin } from '../console/src/site-config.ts';

export interface ConsoleServer {
  url: string;
  close(): Promise<void>;
}

export const consoleDist = resolve(import.meta.dirname, '../console/dist');

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
};

/**
 * The page may talk to itself, to the API (HTTP and its real-time websocket) and to the user
 * pool (sign-in and token refresh) only.
 */
export function consoleSecurityHeaders(config: SiteConfig): Record<string, string> {
  const api = new URL(config.graphqlUrl);
  const realtime = new URL(realtimeUrl(config.graphqlUrl)).origin;
  return {
    'content-security-policy': [
      "default-src 'self'",
      "script-src 'self'",
      "style-src 'self'",
      "img-src 'self' data:",
      `connect-src 'self' ${api.origin} ${realtime} ${userPoolOrigin(config)}`,
      "frame-ancestors 'none'",
      "base-uri 'self'",
      "form-action 'self'",
    ].join('; '),
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'x-frame-options': 'DENY',
  };
}

export async function startConsoleServer(options: {
  host: string;
  port: number;
  /**
   * Served as `config.json`. Locally: the local API, the local pool's ids, `cognitoEndpoint`
   * (its URL) and `authFlowType: 'USER_PASSWORD_AUTH'` (the flow the local pool speaks).
   */
  config: SiteConfig;
  distDir?: string;
}): Promise<ConsoleServer> {
  const root = resolve(options.distDir ?? consoleDist);
  if (!existsSync(join(root, 'index.html'))) {
    throw new Error(`The console is not built (no ${root}/index.html): run npm run build:console`);
  }
  const security = consoleSecurityHeaders(options.config);
  const config = `${JSON.stringify(options.config)}\n`;

  const respond = async (req: IncomingMessage, res: ServerResponse) => {
    const send = (status: number, type: string, body: string | Buffer, cache: string) => {
      res.writeHead(status, {
        ...security,
        'content-type': type,
        'content-length': Buffer.byteLength(body),
        'cache-control': cache,
      });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    // A page on another site whose name was pointed at 127.0.0.1 (DNS rebinding) names its
    // own host: only the loopback names are served, so it cannot read the console's files.
    if (!isLoopbackHost(req.headers.host)) {
      return send(403, contentTypes['.txt'] as string, 'Forbidden host\n', 'no-store');
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('allow', 'GET, HEAD');
      return send(405, contentTypes['.txt'] as string, 'Method not allowed\n', 'no-store');
    }
    const path = requestPath(req.url ?? '/');
    if (path === '/config.json') {
      return send(200, contentTypes['.json'] as string, config, 'no-store');
    }
    const file = path === null ? null : resolve(root, `.${path === '/' ? '/index.html' : path}`);
    if (file === null || !(file === root || file.startsWith(root + sep))) {
      return send(404, contentTypes['.txt'] as string, 'Not found\n', 'no-store');
    }
    try {
      const body = await readFile(file);
      const type = contentTypes[extname(file)] ?? 'application/octet-stream';
      const cache = path?.startsWith('/assets/')
        ? 'public, max-age=31536000, immutable'
        : 'no-cache';
      return send(200, type, body, cache);
    } catch {
      return send(404, contentTypes['.txt'] as string, 'Not found\n', 'no-store');
    }
  };

  const server = createServer((req, res) => {
    respond(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(options.port, options.host, () => done());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://localhost:${port}/`,
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}

/** The URL's path, decoded and normalised, or null when it cannot name a file. */
function requestPath(url: string): string | null {
  try {
    const path = decodeURIComponent(new URL(url, 'http://console.invalid').pathname);
    if (path.includes('\0')) return null;
    return normalize(path).replaceAll('\\', '/');
  } catch {
    return null;
  }
}

/** `localhost`, `127.0.0.1` or `[::1]`, with or without a port. */
function isLoopbackHost(host: string | undefined): boolean {
  if (host === undefined) return false;
  const name = host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.split(':')[0];
  return name === 'localhost' || name === '127.0.0.1' || name === '[::1]';
}
