/**
 * A stand-in for a partner's website in e2e tests: a tiny node:http server on its own origin that serves the
 * pages a test registers, each with the Content-Security-Policy it asks for, and collects CSP violation
 * reports sent to /csp-report.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface PartnerPage {
  html: string;
  /** The page's Content-Security-Policy header; none when omitted. */
  csp?: string;
}

export interface PartnerSite {
  origin: string;
  /** Registers a page at `path` and answers its absolute URL. */
  page(path: string, page: PartnerPage): string;
  /** Serves a static file (CSS, say) at `path`. */
  file(path: string, contentType: string, body: string): void;
  /** CSP violation reports the browser sent, newest last. */
  readonly cspReports: unknown[];
  close(): Promise<void>;
}

export async function startPartnerSite(host = '127.0.0.1'): Promise<PartnerSite> {
  const pages = new Map<string, PartnerPage>();
  const files = new Map<string, { contentType: string; body: string }>();
  const cspReports: unknown[] = [];

  const server = createServer(async (req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (req.method === 'POST' && path === '/csp-report') {
      const text = await readBody(req);
      try {
        cspReports.push(JSON.parse(text));
      } catch {
        cspReports.push(text);
      }
      res.writeHead(204).end();
      return;
    }
    const page = pages.get(path);
    if (page) {
      res.writeHead(200, {
        'Content-Type': 'text/html; charset=utf-8',
        'Cache-Control': 'no-store',
        ...(page.csp && { 'Content-Security-Policy': page.csp }),
      });
      res.end(page.html);
      return;
    }
    const file = files.get(path);
    if (file) {
      res.writeHead(200, { 'Content-Type': file.contentType, 'Cache-Control': 'no-store' });
      res.end(file.body);
      return;
    }
    res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const origin = `http://${host}:${(server.address() as AddressInfo).port}`;

  return {
    origin,
    cspReports,
    page(path, page) {
      pages.set(path, page);
      return `${origin}${path}`;
    },
    file(path, contentType, body) {
      files.set(path, { contentType, body });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
