/**
 * The admin page's only way to talk to the service: the Admin API of API.md, with the admin's bearer token.
 * Errors keep the API's shape (`code`, `message`, `details[].path`) so forms can show each message next to
 * its field; a 401 means the session ended.
 */
import { S } from './strings';

export interface ErrorDetail {
  path?: (string | number)[];
  message: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: ErrorDetail[] = [],
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export interface Answer<T> {
  status: number;
  data: T;
  etag: string | null;
  headers: Headers;
}

export interface CallOptions {
  json?: unknown;
  /** A raw body (CSV), with its content type. */
  text?: string;
  contentType?: string;
  ifMatch?: string | null;
  accept?: string;
  /** The API needs no token (the widget's SRI, say). */
  anonymous?: boolean;
}

const TIMEOUT_MS = 60_000;

export class Api {
  constructor(
    private readonly token: () => Promise<string>,
    private readonly onUnauthorized: () => void,
  ) {}

  async call<T>(method: string, path: string, opts: CallOptions = {}): Promise<Answer<T>> {
    const headers: Record<string, string> = { Accept: opts.accept ?? 'application/json' };
    if (!opts.anonymous) headers.Authorization = `Bearer ${await this.token()}`;
    let body: string | undefined;
    if (opts.json !== undefined) {
      headers['Content-Type'] = 'application/json';
      body = JSON.stringify(opts.json);
    } else if (opts.text !== undefined) {
      headers['Content-Type'] = opts.contentType ?? 'text/plain; charset=utf-8';
      body = opts.text;
    }
    if (opts.ifMatch) headers['If-Match'] = opts.ifMatch;
    let res: Response;
    try {
      res = await fetch(path, {
        method,
        headers,
        body,
        credentials: 'omit',
        cache: 'no-store',
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
    } catch {
      throw new ApiError(0, 'network', S.errors.network);
    }
    const type = res.headers.get('Content-Type') ?? '';
    const raw = await res.text().catch(() => '');
    let parsed: unknown = raw;
    if (type.includes('json') && raw) {
      try {
        parsed = JSON.parse(raw);
      } catch {
        parsed = null;
      }
    }
    if (!res.ok) {
      if (res.status === 401 && !opts.anonymous) this.onUnauthorized();
      throw toError(res.status, parsed);
    }
    return {
      status: res.status,
      data: (raw ? parsed : null) as T,
      etag: res.headers.get('ETag'),
      headers: res.headers,
    };
  }

  get<T>(path: string, opts?: CallOptions) {
    return this.call<T>('GET', path, opts);
  }
  post<T>(path: string, json?: unknown, opts?: CallOptions) {
    return this.call<T>('POST', path, { ...opts, json });
  }
  put<T>(path: string, json: unknown, opts?: CallOptions) {
    return this.call<T>('PUT', path, { ...opts, json });
  }
  patch<T>(path: string, json: unknown, opts?: CallOptions) {
    return this.call<T>('PATCH', path, { ...opts, json });
  }
  delete<T>(path: string, opts?: CallOptions) {
    return this.call<T>('DELETE', path, opts);
  }
}

function toError(status: number, body: unknown): ApiError {
  const error = isRecord(body) && isRecord(body.error) ? body.error : null;
  const message = typeof error?.message === 'string' ? error.message : S.errors.status(status);
  const code = typeof error?.code === 'string' ? error.code : 'http_error';
  const details = Array.isArray(error?.details)
    ? error.details.filter(isRecord).map((d) => ({
        path: Array.isArray(d.path)
          ? d.path.filter((p): p is string | number => typeof p === 'string' || typeof p === 'number')
          : undefined,
        message: String(d.message ?? ''),
      }))
    : [];
  return new ApiError(status, code, message, details);
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A readable sentence for any failure. */
export function messageOf(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  return S.errors.unexpected;
}
