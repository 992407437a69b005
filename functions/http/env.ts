import type { Partner } from '../core/model.js';
import type { AdminIdentity } from '../core/ports.js';

/** What middleware leaves in a request's context for the handlers after it. */
export type AppEnv = { Variables: { partner: Partner; admin: AdminIdentity } };
