/**
 * Every route gets generated requests through app.request, with every port in memory: never a 5xx, never a
 * stack trace, never a crash, and a refused request (4xx) changes nothing stored (test/helpers/fuzz.ts).
 * The admin routes are in fuzz-admin-routes.test.ts and fuzz-admin-other-routes.test.ts, so no file runs long.
 */
import { describe } from 'vitest';
import { fuzzEvery } from '../helpers/fuzz.js';

describe('fuzzing the partner, widget and service routes through app.request', () => {
  fuzzEvery((route) => !route.path.startsWith('/admin'));
});
