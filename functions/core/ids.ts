import { randomBytes } from 'node:crypto';
import type { Clock, IdGenerator, IdPrefix } from './ports.js';

/** Random ids: 12 bytes, URL-safe, such as `cmp_Xq3...`. */
export const randomIds: IdGenerator = {
  next: (prefix: IdPrefix) => `${prefix}_${randomBytes(12).toString('base64url')}`,
};

export const systemClock: Clock = { now: () => new Date() };
