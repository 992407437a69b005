import { startLocalService } from '../functions/local/service.js';
const s = await startLocalService({ port: 0, dataDir: null, logLevel: 'silent', counting: process.env.C !== '0', rateLimits: { secretKey: { perSecond: 1e9, burst: 1e9 }, siteKey: { perSecond: 1e9, burst: 1e9 } } });
const { createApp } = await import('../functions/http/app.js');
const app = createApp(s.deps);
const body = JSON.stringify({ query: 'they took my passport', region: 'US-CA' });
for (const label of ['warm', 'timed', 'timed2']) {
  const t = performance.now();
  for (let i = 0; i < 2000; i++) {
    const r = await app.request('http://x/v1/match', { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': s.demoPartner.secretKey! }, body });
    await r.text();
  }
  console.log(label, ((performance.now() - t) / 2000).toFixed(3), 'ms/req app.request');
}
await s.close();
