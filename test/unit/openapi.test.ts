import { Validator } from '@seriousme/openapi-schema-validator';
import { describe, expect, it } from 'vitest';
import { createAdminApp, createApp, createPartnerApp } from '../../functions/http/app.js';
import { widgetAsset } from '../../functions/http/widget.js';
import { memoryDeps } from '../fakes/memory.js';
import { send } from '../helpers/http.js';

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'options', 'head'] as const;

function appUnderTest() {
  const { deps } = memoryDeps({ widget: { asset: widgetAsset('/* widget */') } });
  return { deps, app: createApp(deps) };
}

/** `/admin/v1/campaigns/:id` as OpenAPI writes it. */
const toOpenApiPath = (path: string) => path.replace(/:([A-Za-z0-9_]+)(\{[^}]*\})?/g, '{$1}');

/** Whether a concrete path (`/widget/v1.3fa9.js`) is covered by a templated one (`/widget/{file}`). */
function covers(template: string, path: string): boolean {
  if (template === path) return true;
  const pattern = template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{[^}]+\\?\}/g, '[^/]+');
  return new RegExp(`^${pattern}$`).test(path);
}

describe('GET /openapi.json', () => {
  it('is a valid OpenAPI 3.1 document', async () => {
    const { app } = appUnderTest();
    const res = await send(app, 'GET', '/openapi.json');
    expect(res.status).toBe(200);
    expect(res.body.openapi).toBe('3.1.0');
    const result = await new Validator().validate(res.body);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it('describes every route the app serves, with the method it serves', async () => {
    const { app } = appUnderTest();
    const doc = (await send(app, 'GET', '/openapi.json')).body as {
      paths: Record<string, Record<string, unknown>>;
    };
    const documented = Object.entries(doc.paths).flatMap(([path, item]) =>
      METHODS.filter((method) => method in item).map((method) => ({ path, method })),
    );
    // Middleware registered with app.use shows up as method ALL: only real routes count.
    const served = app.routes
      .filter((route) => route.method !== 'ALL')
      .map((route) => ({ path: toOpenApiPath(route.path), method: route.method.toLowerCase() }));
    expect(served.length).toBeGreaterThan(20);
    // Plain Hono routes (files, not JSON) are among them, not only the OpenAPIHono ones.
    expect(served).toContainEqual({ path: '/widget/demo', method: 'get' });
    const missing = served.filter(
      (route) => !documented.some((d) => d.method === route.method && covers(d.path, route.path)),
    );
    expect(missing).toEqual([]);
    // And it describes nothing the app does not serve.
    const phantom = documented.filter(
      (d) => !served.some((route) => route.method === d.method && covers(d.path, route.path)),
    );
    expect(phantom).toEqual([]);
  });

  it('documents the routes of this issue with the schemas that validate them', async () => {
    const { app } = appUnderTest();
    const doc = (await send(app, 'GET', '/openapi.json')).body;
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/admin/v1/versions',
        '/admin/v1/versions/{n}',
        '/admin/v1/versions/{n}/restore',
        '/admin/v1/explain',
        '/admin/v1/campaigns/{id}/keywords/import',
        '/admin/v1/audit',
        '/v1/rules',
      ]),
    );
    expect(doc.paths['/admin/v1/campaigns/{id}/keywords/import'].post.requestBody.content).toHaveProperty(
      'text/csv',
    );
    expect(doc.components.schemas.ExplainRequest.properties.ruleset.enum).toEqual(['draft', 'published']);
    expect(doc.components.schemas.RulesFeed.properties.formatVersion).toMatchObject({ enum: [1] });
    expect(doc.paths['/v1/rules'].get.responses).toHaveProperty('304');
    expect(doc.paths['/admin/v1/audit'].get.parameters.map((p: { name: string }) => p.name)).toEqual(
      expect.arrayContaining(['target', 'from', 'to', 'limit', 'cursor']),
    );
  });

  it('is the same document from the admin function, which serves it on AWS', async () => {
    const { deps, app } = appUnderTest();
    const whole = (await send(app, 'GET', '/openapi.json')).body;
    const fromAdmin = (await send(createAdminApp(deps), 'GET', '/openapi.json')).body;
    expect(fromAdmin).toEqual(whole);
    // The partner function serves no document and none of the admin routes.
    expect((await send(createPartnerApp(deps), 'GET', '/openapi.json')).status).toBe(404);
  });
});
