/**
 * The widget's only two ways to talk to the service: ask for a message, and report what happened to it.
 * Neither sends cookies or the page's address, and neither ever throws into the host page.
 */

export const TIMEOUT_MS = 3000;

export type EventAction = 'call' | 'text' | 'link' | 'dismiss' | 'exit';

export interface WidgetEvent {
  token: string;
  type: 'impression' | 'action';
  action?: EventAction;
}

/**
 * POSTs JSON and answers the parsed body, or `null` on any failure (network, CORS, timeout, non-2xx, bad
 * JSON). `onRefused` hears about 401/403 only, the statuses that mean the embed itself is misconfigured.
 */
export async function postJson(
  url: string,
  siteKey: string,
  body: unknown,
  onRefused: (status: number) => void,
): Promise<unknown> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), TIMEOUT_MS);
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Site-Key': siteKey },
      body: JSON.stringify(body),
      credentials: 'omit',
      // The page's URL may hold the very search query we must never receive.
      referrerPolicy: 'no-referrer',
      cache: 'no-store',
      signal: abort.signal,
    });
    if (res.status === 401 || res.status === 403) onRefused(res.status);
    // The timeout covers reading the body too: the signal aborts it.
    return res.ok ? await res.json() : null;
  } catch {
    return null;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Sends events so they survive the page going away (quick exit navigates at once). A keepalive fetch is
 * the beacon that can omit credentials and the referrer; browsers without it get `navigator.sendBeacon`.
 * Both send a CORS-safelisted `text/plain` body with no custom header (so no preflight that an unloading
 * page could lose), which is why the site key rides in the query string.
 */
export function sendEvents(base: string, siteKey: string, events: WidgetEvent[]): void {
  const url = `${base}/v1/events?siteKey=${encodeURIComponent(siteKey)}`;
  const body = JSON.stringify({ events });
  try {
    if ('keepalive' in Request.prototype) {
      fetch(url, {
        method: 'POST',
        body,
        keepalive: true,
        // CORS mode (a simple request: no preflight) so that the Origin header, which the service checks the
        // site key against, is sent as it is: a no-cors request without a referrer would send `Origin: null`.
        credentials: 'omit',
        referrerPolicy: 'no-referrer',
      }).catch(() => {});
    } else {
      navigator.sendBeacon(url, body);
    }
  } catch {
    // Reporting must never break the page.
  }
}
