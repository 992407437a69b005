import { writeFileSync } from 'node:fs';
import { startLocalService } from '../functions/local/service.js';
const s = await startLocalService({ port: 0, dataDir: null, logLevel: 'silent', counting: true, rateLimits: { secretKey: { perSecond: 1e9, burst: 1e9 }, siteKey: { perSecond: 1e9, burst: 1e9 } } });
writeFileSync('/tmp/zzserve.json', JSON.stringify({ url: s.url, key: s.demoPartner.secretKey }));
process.on('SIGINT', async () => { await s.close(); process.exit(0); });
