/**
 * The admin routes' share of the route fuzzing (see fuzz-routes.test.ts and test/helpers/fuzz.ts): campaigns,
 * publishing and versions here, the rest in fuzz-admin-other-routes.test.ts, so no one file runs long.
 */
import { describe } from 'vitest';
import { fuzzEvery } from '../helpers/fuzz.js';

describe('fuzzing the admin campaign and publishing routes through app.request', () => {
  fuzzEvery((route) => /^\/admin\/v1\/(campaigns|publish|versions)/.test(route.path));
});
