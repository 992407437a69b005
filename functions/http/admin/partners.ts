import { createRoute, z } from '@hono/zod-openapi';
import { partnerNote } from '../../core/audit.js';
import { NotFoundError } from '../../core/errors.js';
import type { Partner } from '../../core/model.js';
import { newPartnerKey, newSecretKey, newSiteKey, publicPartner } from '../../core/partner-keys.js';
import { PartnerCreateSchema, PartnerPatchSchema } from '../../core/schemas.js';
import type { AdminDeps } from '../deps.js';
import { errorResponse, jsonBody, router } from '../openapi.js';
import { auditBase } from './audit.js';
import { etag, expectedRevision } from './auth.js';

const IdParam = z.object({
  id: z.string().regex(/^ptn_[A-Za-z0-9_-]{1,64}$/, 'A partner id looks like "ptn_...".'),
});
const KeyParams = IdParam.extend({
  keyId: z.string().regex(/^key_[A-Za-z0-9_-]{1,64}$/, 'A key id looks like "key_...".'),
});
const PartnerOut = z
  .object({
    id: z.string(),
    name: z.string(),
    allowedOrigins: z.array(z.string()),
    siteKey: z.string(),
    status: z.enum(['active', 'disabled']),
    createdAt: z.string(),
    keys: z.array(
      z.object({
        id: z.string(),
        prefix: z.string(),
        createdAt: z.string(),
        revokedAt: z.string().nullable(),
      }),
    ),
  })
  .openapi('Partner');
const json = <T extends z.ZodType>(description: string, schema: T) => ({
  description,
  content: { 'application/json': { schema } },
});
const unauthorized = errorResponse('No valid admin token.');
const notFound = errorResponse('No such partner.');

/**
 * Partners and their keys. A secret key is answered once, when made; only its SHA-256 hash is stored.
 * Writes take `If-Match` when sent (the admin page always sends it) and are checked against the revision.
 */
export function partnerRoutes(deps: AdminDeps, onChange: () => void = () => {}) {
  const app = router();

  app.openapi(
    createRoute({
      method: 'get',
      path: '/admin/v1/partners',
      summary: 'Every partner',
      responses: {
        200: json('The partners.', z.object({ partners: z.array(PartnerOut) })),
        401: unauthorized,
      },
    }),
    async (c) => {
      const partners = await deps.partners.list();
      partners.sort((a, b) => (a.createdAt < b.createdAt ? -1 : 1));
      return c.json({ partners: partners.map(publicPartner) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/admin/v1/partners',
      summary: 'Create a partner, with a site key and a first secret key',
      request: { body: jsonBody(PartnerCreateSchema.openapi('PartnerInput')) },
      responses: {
        201: json(
          'Created; the secret key is shown this once.',
          z.object({ partner: PartnerOut, secretKey: z.string() }),
        ),
        400: errorResponse('Not valid.'),
        401: unauthorized,
      },
    }),
    async (c) => {
      const input = c.req.valid('json');
      const now = deps.clock.now();
      const secretKey = newSecretKey();
      const created: Partner = {
        id: deps.ids.next('ptn'),
        name: input.name,
        allowedOrigins: [...new Set(input.allowedOrigins)],
        siteKey: newSiteKey(),
        status: 'active',
        keys: [newPartnerKey(deps.ids.next('key'), secretKey, now)],
        createdAt: now.toISOString(),
        revision: 1,
      };
      const partner = await deps.partners.create(
        created,
        partnerNote(auditBase(c, deps), 'partner.create', null, created),
      );
      onChange();
      c.header('ETag', etag(partner.revision));
      c.header('Cache-Control', 'no-store');
      return c.json({ partner: publicPartner(partner), secretKey }, 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/admin/v1/partners/{id}',
      summary: 'One partner, with its ETag',
      request: { params: IdParam },
      responses: { 200: json('The partner.', PartnerOut), 401: unauthorized, 404: notFound },
    }),
    async (c) => {
      const partner = await load(deps, c.req.valid('param').id);
      c.header('ETag', etag(partner.revision));
      return c.json(publicPartner(partner), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'patch',
      path: '/admin/v1/partners/{id}',
      summary: "Change a partner's name, allowed origins or status",
      request: { params: IdParam, body: jsonBody(PartnerPatchSchema.openapi('PartnerPatch')) },
      responses: {
        200: json('Changed.', PartnerOut),
        400: errorResponse('Not valid.'),
        401: unauthorized,
        404: notFound,
        412: errorResponse('Someone else changed it first.'),
      },
    }),
    async (c) => {
      const partner = await load(deps, c.req.valid('param').id);
      const revision = revisionToMatch(c.req.header('if-match'), partner);
      const patch = c.req.valid('json');
      const next: Partner = {
        ...partner,
        ...(patch.name !== undefined && { name: patch.name }),
        ...(patch.allowedOrigins !== undefined && { allowedOrigins: [...new Set(patch.allowedOrigins)] }),
        ...(patch.status !== undefined && { status: patch.status }),
      };
      const saved = await deps.partners.update(
        next,
        revision,
        partnerNote(auditBase(c, deps), 'partner.update', partner, next),
      );
      onChange();
      c.header('ETag', etag(saved.revision));
      return c.json(publicPartner(saved), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/admin/v1/partners/{id}/keys',
      summary: 'Issue a new secret key (shown once)',
      request: { params: IdParam },
      responses: {
        201: json(
          'Issued.',
          z.object({
            key: z.object({ id: z.string(), prefix: z.string(), createdAt: z.string() }),
            secretKey: z.string(),
          }),
        ),
        401: unauthorized,
        404: notFound,
        412: errorResponse('Someone else changed it first.'),
      },
    }),
    async (c) => {
      const partner = await load(deps, c.req.valid('param').id);
      const revision = revisionToMatch(c.req.header('if-match'), partner);
      const secretKey = newSecretKey();
      const key = newPartnerKey(deps.ids.next('key'), secretKey, deps.clock.now());
      const issued: Partner = { ...partner, keys: [...partner.keys, key] };
      const saved = await deps.partners.update(
        issued,
        revision,
        partnerNote(auditBase(c, deps), 'partner.key.issue', partner, issued),
      );
      onChange();
      c.header('ETag', etag(saved.revision));
      c.header('Cache-Control', 'no-store');
      return c.json({ key: { id: key.id, prefix: key.prefix, createdAt: key.createdAt }, secretKey }, 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/admin/v1/partners/{id}/keys/{keyId}',
      summary: 'Revoke a secret key',
      request: { params: KeyParams },
      responses: {
        200: json('Revoked.', PartnerOut),
        401: unauthorized,
        404: errorResponse('No such partner or key.'),
        412: errorResponse('Someone else changed it first.'),
      },
    }),
    async (c) => {
      const { id, keyId } = c.req.valid('param');
      const partner = await load(deps, id);
      const revision = revisionToMatch(c.req.header('if-match'), partner);
      const key = partner.keys.find((k) => k.id === keyId);
      if (!key) throw new NotFoundError(`Partner ${id} has no key ${keyId}.`);
      const now = deps.clock.now().toISOString();
      const keys = partner.keys.map((k) => (k.id === keyId ? { ...k, revokedAt: k.revokedAt ?? now } : k));
      const saved = await deps.partners.update(
        { ...partner, keys },
        revision,
        partnerNote(auditBase(c, deps), 'partner.key.revoke', partner, { ...partner, keys }),
      );
      onChange();
      c.header('ETag', etag(saved.revision));
      return c.json(publicPartner(saved), 200);
    },
  );

  return app;
}

async function load(deps: Pick<AdminDeps, 'partners'>, id: string): Promise<Partner> {
  const partner = await deps.partners.get(id);
  if (!partner) throw new NotFoundError(`There is no partner ${id}.`);
  return partner;
}

function revisionToMatch(ifMatch: string | undefined, partner: Partner): number {
  return ifMatch === undefined ? partner.revision : expectedRevision(ifMatch, 'partner');
}
