import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SiteConfig } from '../../console/src/site-config.ts';
import type { ConsoleServer } from '../../local/console-server.ts';
import { consoleSecurityHeaders, startConsoleServer } from '../../local/console-server.ts';

// The console's own server on a free port, serving a small build made here. Traversal cases
// go through node's http.request so the path reaches the server exactly as written (fetch
// and URL would resolve `..` before sending).

const INDEX = '<!doctype html><title>console</title><script src="/assets/app.js"></script>';
const APP = 'console.log("console");';
const SECRET = 'outside-the-build';
const config: SiteConfig = {
  graphqlUrl: 'http://localhost:4000/graphql',
  region: 'eu-west-1',
  userPoolId: 'eu-west-1_localpool',
  userPoolClientId: 'local-console-client',
  cognitoEndpoint: 'http://localhost:4005',
  authFlowType: 'USER_PASSWORD_AUTH',
};
const inAws = (graphqlUrl: string): SiteConfig => ({
  graphqlUrl,
  region: 'eu-west-1',
  userPoolId: 'eu-west-1_AbCdEf123',
  userPoolClientId: 'client',
});

let workDir: string;
let distDir: string;
let server: ConsoleServer;
let port: number;

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'console-server-'));
  distDir = join(workDir, 'dist');
  await mkdir(join(distDir, 'assets'), { recursive: true });
  await writeFile(join(distDir, 'index.html'), INDEX);
  await writeFile(join(distDir, 'assets', 'app.js'), APP);
  // Files next to and above the build that no request may reach.
  await writeFile(join(workDir, 'package.json'), SECRET);
  await writeFile(join(workDir, 'secret.txt'), SECRET);
  server = await startConsoleServer({ host: '127.0.0.1', port: 0, config, distDir });
  port = Number(new URL(server.url).port);
});

afterAll(async () => {
  await server?.close();
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** One request with the path sent byte for byte as given. */
function raw(
  path: string,
  method = 'GET',
  headers: Record<string, string> = {},
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/** The sources connect-src allows, in order. */
function connectSrc(csp: string | string[] | undefined): string[] {
  const directive = String(csp ?? '')
    .split(';')
    .map((part) => part.trim())
    .find((part) => part.startsWith('connect-src '));
  return directive?.split(/\s+/).slice(1) ?? [];
}

describe('console server: the build', () => {
  it('given GET /, then index.html is served as HTML with the security headers', async () => {
    // Act
    const response = await raw('/');

    // Assess
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/html/);
    expect(response.body).toBe(INDEX);
    expect(response.headers['cache-control']).toBe('no-cache');
    expect(connectSrc(response.headers['content-security-policy'])).toEqual([
      "'self'",
      'http://localhost:4000',
      'ws://localhost:4000',
      'http://localhost:4005',
    ]);
    expect(response.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['x-frame-options']).toBe('DENY');
    expect(response.headers['referrer-policy']).toBe('no-referrer');
  });

  it('given GET /index.html, then the same page is served', async () => {
    const response = await raw('/index.html');

    expect(response.status).toBe(200);
    expect(response.body).toBe(INDEX);
  });

  it('given GET /config.json, then the configuration given is returned, never cached', async () => {
    const response = await raw('/config.json');

    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(response.headers['cache-control']).toBe('no-store');
    expect(JSON.parse(response.body)).toEqual(config);
  });

  it('given GET of a built asset, then it is served as JavaScript and cached as immutable', async () => {
    const response = await raw('/assets/app.js');

    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/javascript/);
    expect(response.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(response.body).toBe(APP);
  });

  it.each([
    ['a parent step inside the build', '/assets/../index.html'],
    ['an encoded parent step inside the build', '/assets/..%2findex.html'],
  ])(
    'given %s (%s), then the path is resolved within the build and served',
    async (_case, path) => {
      const response = await raw(path);

      expect(response.status).toBe(200);
      expect(response.body).toBe(INDEX);
    },
  );

  it('given a query string, then the file is still found by its path', async () => {
    const response = await raw('/assets/app.js?v=2');

    expect(response.status).toBe(200);
    expect(response.body).toBe(APP);
  });

  it('given HEAD, then the headers come without a body', async () => {
    const response = await raw('/assets/app.js', 'HEAD');

    expect(response.status).toBe(200);
    expect(response.headers['content-length']).toBe(String(Buffer.byteLength(APP)));
    expect(response.headers['content-security-policy']).toBeDefined();
    expect(response.body).toBe('');
  });
});

describe('console server: requests it refuses', () => {
  it.each([
    ['a parent directory', '/../package.json'],
    ['two parent directories', '/../../package.json'],
    ['a parent directory reaching a sibling', '/../secret.txt'],
    ['encoded dots', '/%2e%2e/%2e%2e/etc/passwd'],
    ['encoded dots to a sibling', '/%2e%2e/secret.txt'],
    ['encoded slashes', '/assets/..%2f..%2fpackage.json'],
    ['encoded slashes to a sibling', '/assets/..%2f..%2fsecret.txt'],
    ['encoded backslashes', '/assets/..%5c..%5csecret.txt'],
    ['an absolute path', '//etc/passwd'],
    ['a NUL byte', '/index.html%00.js'],
    ['a NUL byte alone', '/%00'],
    ['a malformed percent-encoding', '/%E0%A4%A'],
    ['a bare percent sign', '/assets/%'],
    ['a missing file', '/missing.js'],
    ['a directory', '/assets'],
    ['a directory with a slash', '/assets/'],
  ])('given %s (%s), then 404 and nothing from outside the build', async (_case, path) => {
    // Act
    const response = await raw(path);

    // Assess
    expect(response.status).toBe(404);
    expect(response.body).not.toContain(SECRET);
    expect(response.body).not.toContain('root:');
    expect(response.headers['cache-control']).toBe('no-store');
  });

  it.each(['POST', 'DELETE', 'PUT', 'PATCH'])(
    'given %s, then 405 with an Allow header naming GET and HEAD',
    async (method) => {
      const response = await raw('/index.html', method);

      expect(response.status).toBe(405);
      expect(response.headers.allow).toBe('GET, HEAD');
      expect(response.body).not.toContain(INDEX);
    },
  );

  it('given POST /config.json, then 405 and no configuration', async () => {
    const response = await raw('/config.json', 'POST');

    expect(response.status).toBe(405);
    expect(response.body).not.toContain(config.userPoolClientId);
  });

  it('given refused requests, then the server goes on serving', async () => {
    await raw('/%E0%A4%A');
    await raw('/../package.json', 'DELETE');

    const response = await raw('/');

    expect(response.status).toBe(200);
  });
});

describe('console server: start', () => {
  it('given no build, then it refuses to start and says how to build', async () => {
    const missing = join(workDir, 'not-built');

    await expect(
      startConsoleServer({ host: '127.0.0.1', port: 0, config, distDir: missing }),
    ).rejects.toThrow(/npm run build:console/);
  });
});

/** Starts a second server on `distDir`, fetches `/` from it, and stops it. */
async function indexFrom(distDir: string): Promise<number> {
  const other = await startConsoleServer({ host: '127.0.0.1', port: 0, config, distDir });
  try {
    const response = await fetch(new URL('/', other.url.replace('localhost', '127.0.0.1')));
    await response.arrayBuffer();
    return response.status;
  } finally {
    await other.close();
  }
}

describe('console server: where the build is', () => {
  it('given the build folder as an absolute path, then index.html is served', async () => {
    expect(await indexFrom(distDir)).toBe(200);
  });

  it('given the build folder as a path relative to the working directory, then index.html is served', async () => {
    expect(await indexFrom(relative(process.cwd(), distDir))).toBe(200);
  });

  it('given the build folder with a trailing slash, then index.html is served', async () => {
    expect(await indexFrom(`${distDir}${sep}`)).toBe(200);
  });
});

describe('consoleSecurityHeaders', () => {
  it.each([
    [
      'a local HTTP endpoint',
      'http://localhost:4000/graphql',
      ["'self'", 'http://localhost:4000', 'ws://localhost:4000', 'http://localhost:4005'],
    ],
    [
      'an HTTPS endpoint on a port',
      'https://localhost:4443/graphql',
      ["'self'", 'https://localhost:4443', 'wss://localhost:4443', 'http://localhost:4005'],
    ],
  ])(
    'given %s and the local user pool, then connect-src allows only the page, the API, its websocket and the pool',
    (_case, url, sources) => {
      const csp = consoleSecurityHeaders({ ...config, graphqlUrl: url });

      expect(connectSrc(csp['content-security-policy'])).toEqual(sources);
    },
  );

  it("given a custom HTTPS domain and a Cognito user pool, then connect-src allows the pool's regional endpoint", () => {
    const csp = consoleSecurityHeaders(inAws('https://api.example.com/graphql'));

    expect(connectSrc(csp['content-security-policy'])).toEqual([
      "'self'",
      'https://api.example.com',
      'wss://api.example.com',
      'https://cognito-idp.eu-west-1.amazonaws.com',
    ]);
  });

  it('given an AppSync endpoint, then connect-src allows the real-time host the console dials', () => {
    const csp = consoleSecurityHeaders(
      inAws('https://abc.appsync-api.eu-west-1.amazonaws.com/graphql'),
    );

    expect(connectSrc(csp['content-security-policy'])).toEqual([
      "'self'",
      'https://abc.appsync-api.eu-west-1.amazonaws.com',
      'wss://abc.appsync-realtime-api.eu-west-1.amazonaws.com',
      'https://cognito-idp.eu-west-1.amazonaws.com',
    ]);
  });
});

describe('console server: who may ask', () => {
  it.each(['evil.example', 'evil.example:80', `attacker.test:${0}`])(
    'given a request naming the host %s (a DNS-rebinding page), then it is refused and config.json is not served',
    async (host) => {
      const response = await raw('/config.json', 'GET', { host });

      expect(response.status).toBe(403);
      expect(response.body).not.toContain(config.userPoolClientId);
    },
  );

  it.each(['localhost', '127.0.0.1', '[::1]'])(
    'given a request naming %s on the server port, then config.json is served',
    async (name) => {
      const response = await raw('/config.json', 'GET', { host: `${name}:${port}` });

      expect(response.status).toBe(200);
    },
  );
});
