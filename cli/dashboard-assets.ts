/**
 * Serves the built dashboard (`dist/dashboard/`, written by `npm run build:dashboard`): `GET /`
 * is index.html, `GET /assets/…` its bundle and styles. Used by `jobboard dashboard` and by the
 * local stack, so both show the very same page. It lives in cli/ because the package ships cli/
 * (the installed `jobboard dashboard` needs it) and not local/.
 *
 * The files are found from the package root (the nearest package.json named "jobboard" above this
 * module), which works from the sources run with tsx and from the installed package's `dist/`.
 * They carry no data and need no token: the API calls they make are checked as any other.
 */
import { existsSync, readFileSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { dirname, extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const ASSET_PREFIX = '/assets/';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
};

/**
 * The page talks to its own origin only and may not be framed: it has buttons that trash and
 * retry jobs, which another site must not be able to trick a click onto.
 */
const SECURITY_HEADERS = {
  'content-security-policy': "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

/** True for the paths the dashboard owns: `/` and `/assets/…`. The API has no route there. */
export function isDashboardPath(pathname: string): boolean {
  return pathname === '/' || pathname === '/index.html' || pathname.startsWith(ASSET_PREFIX);
}

let defaultDir: string | undefined;

/** The directory of the built page, from the package root (found once, then remembered). */
export function dashboardDir(): string {
  defaultDir ??= findDashboardDir(dirname(fileURLToPath(import.meta.url)));
  return defaultDir;
}

function findDashboardDir(from: string): string {
  for (let dir = resolve(from); ; dir = dirname(dir)) {
    if (isJobboardRoot(dir)) return join(dir, 'dist', 'dashboard');
    if (dirname(dir) === dir) throw new Error(`no jobboard package.json above ${from}: cannot find the dashboard`);
  }
}

function isJobboardRoot(dir: string): boolean {
  const manifest = join(dir, 'package.json');
  if (!existsSync(manifest)) return false;
  try {
    return (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown }).name === 'jobboard';
  } catch {
    return false;
  }
}

export interface Asset {
  status: number;
  headers: Record<string, string>;
  body: Buffer | string;
}

/**
 * The answer to a GET (or HEAD) of a dashboard path. Only regular files inside `dir` are served:
 * a path that decodes to `..`, a NUL or anything outside is a 404, never a file elsewhere.
 */
export async function loadAsset(pathname: string, dir: string = dashboardDir()): Promise<Asset> {
  const root = resolve(dir);
  if (pathname === '/' || pathname === '/index.html') {
    if (!existsSync(join(root, 'index.html'))) return notBuilt(root);
    pathname = '/index.html';
  }
  let relative: string;
  try {
    relative = decodeURIComponent(pathname);
  } catch {
    return text(400, 'bad path encoding');
  }
  const file = resolve(root, `.${relative}`);
  if (relative.includes('\0') || !file.startsWith(root + sep)) return text(404, 'not found');
  const info = await stat(file).catch(() => undefined);
  if (info === undefined || !info.isFile()) return text(404, 'not found');
  return {
    status: 200,
    headers: { 'content-type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-cache', ...SECURITY_HEADERS },
    body: await readFile(file),
  };
}

/**
 * Answers `request` when it is a GET or HEAD of a dashboard path, and says whether it did: a
 * server calls this first and handles the request itself when it answers false.
 */
export function serveDashboardRequest(request: IncomingMessage, response: ServerResponse, dir?: string): boolean {
  const pathname = new URL(request.url ?? '/', 'http://127.0.0.1').pathname;
  if ((request.method !== 'GET' && request.method !== 'HEAD') || !isDashboardPath(pathname)) return false;
  void loadAsset(pathname, dir)
    .catch((error: unknown) => text(500, `cannot read the dashboard: ${String(error)}`))
    .then((asset) => {
      response.writeHead(asset.status, { ...asset.headers, 'content-length': String(Buffer.byteLength(asset.body)) });
      response.end(request.method === 'HEAD' ? undefined : asset.body);
    });
  return true;
}

function text(status: number, message: string): Asset {
  return { status, headers: { 'content-type': 'text/plain; charset=utf-8', ...SECURITY_HEADERS }, body: `${message}\n` };
}

/** A checkout where nobody built the page yet: say how, instead of a bare 404. */
function notBuilt(root: string): Asset {
  return text(503, `The dashboard is not built (no ${join(root, 'index.html')}). Run \`npm run build:dashboard\` (npm start does it for you).`);
}
