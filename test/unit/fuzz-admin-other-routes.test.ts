/** The admin routes not fuzzed in fuzz-admin-routes.test.ts: partners, reports, audit, explain, the admin page. */
import { describe } from 'vitest';
import { fuzzEvery } from '../helpers/fuzz.js';

describe('fuzzing the other admin routes through app.request', () => {
  fuzzEvery(
    (route) =>
      route.path.startsWith('/admin') && !/^\/admin\/v1\/(campaigns|publish|versions)/.test(route.path),
  );
});
