/** The admin routes' share of the route fuzzing (see fuzz-routes.test.ts and test/helpers/fuzz.ts). */
import { describe } from 'vitest';
import { fuzzEvery } from '../helpers/fuzz.js';

describe('fuzzing the admin routes through app.request', () => {
  fuzzEvery((route) => route.path.startsWith('/admin/'));
});
