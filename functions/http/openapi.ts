import { OpenAPIHono, z } from '@hono/zod-openapi';
import type { AppEnv } from './env.js';
import { validationError } from './errors.js';

export type { AppEnv };

/**
 * Every sub-app is an OpenAPIHono whose routes are declared with the zod schemas that validate them, so
 * `/openapi.json` is generated from the very schemas in use. Validation failures become our 400 shape.
 */
export function router() {
  return new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success) {
        throw validationError(
          result.error,
          result.target === 'json' ? 'request body' : `request ${result.target}`,
        );
      }
    },
  });
}

export const ErrorSchema = z
  .object({
    error: z.object({
      code: z.string(),
      message: z.string(),
      details: z
        .array(z.object({ path: z.array(z.union([z.string(), z.number()])).optional(), message: z.string() }))
        .optional(),
    }),
  })
  .openapi('Error');

export const errorResponse = (description: string) => ({
  description,
  content: { 'application/json': { schema: ErrorSchema } },
});

export const jsonBody = <T extends z.ZodType>(schema: T) => ({
  required: true,
  content: { 'application/json': { schema } },
});
