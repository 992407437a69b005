/** A tiny request helper over `app.request` (or fetch against a URL) that sends JSON and reads JSON back. */
export interface Requester {
  request(input: string, init?: RequestInit): Response | Promise<Response>;
}

export interface Sent {
  status: number;
  headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON answers and assert on their shape.
  body: any;
  text: string;
}

export async function send(
  target: Requester | string,
  method: string,
  path: string,
  options: { body?: unknown; raw?: string; headers?: Record<string, string> } = {},
): Promise<Sent> {
  const headers: Record<string, string> = { ...options.headers };
  let body: string | undefined;
  if (options.raw !== undefined) body = options.raw;
  else if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers['content-type'] ??= 'application/json';
  }
  const init: RequestInit = { method, headers, body };
  const response =
    typeof target === 'string'
      ? await fetch(`${target}${path}`, init)
      : await target.request(`http://localhost${path}`, init);
  const text = await response.text();
  let parsed: unknown = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = null;
  }
  return { status: response.status, headers: response.headers, body: parsed, text };
}
