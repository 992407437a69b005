/**
 * The one test that bundles for real, as `cdk synth` does on a fresh clone: local esbuild, no Docker, ESM with
 * the createRequire banner, source maps, the widget copied next to the partner handler, and no admin or
 * widget source inside the partner bundle.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ESM_REQUIRE_BANNER } from '../../infra/constructs/bundling.js';
import { PROJECT_ROOT } from '../../infra/constructs/signpost-function.js';
import { resourcesOfType, synthSignpost } from './synth.js';

const synthesized = synthSignpost({}, { bundle: true });
afterAll(() => synthesized.cleanup());

/** The bundle directory of each function, found through its code asset's hash. */
const bundles = Object.fromEntries(
  resourcesOfType(synthesized.api, 'AWS::Lambda::Function').map(([id, fn]) => {
    const key = String((fn.Properties.Code as { S3Key: string }).S3Key);
    const dir = join(synthesized.assembly.directory, `asset.${key.replace(/\.zip$/, '')}`);
    return [id.replace(/Function[0-9A-F]{8}$/, ''), dir];
  }),
);
const read = (fn: string, file: string) => readFileSync(join(bundles[fn] ?? '', file), 'utf8');

describe('function bundles', () => {
  it('are ESM files that start with the createRequire banner, with a source map beside them', () => {
    expect(Object.keys(bundles).sort()).toEqual(['AdminApi', 'AdminSignUpGuard', 'PartnerApi']);
    for (const fn of Object.keys(bundles)) {
      const code = read(fn, 'index.mjs');
      expect(code.startsWith(ESM_REQUIRE_BANNER)).toBe(true);
      expect(code).toMatch(/\/\/# sourceMappingURL=index\.mjs\.map\s*$/);
      expect(JSON.parse(read(fn, 'index.mjs.map')).sourcesContent).toBeUndefined();
    }
  });

  it('bundle the AWS SDK instead of importing it from the runtime', () => {
    const partner = read('PartnerApi', 'index.mjs');
    expect(partner).not.toMatch(/from\s*["']@aws-sdk\//);
    expect(partner).toContain('DynamoDB');
  });

  it('replace the SDK default credential chain with the Lambda environment reader', async () => {
    const partner = read('PartnerApi', 'index.mjs');
    expect(partner).toContain('Lambda always sets them');
    expect(partner).not.toContain('AWS_WEB_IDENTITY_TOKEN_FILE');
    expect(partner).not.toContain('sso_start_url');

    const { defaultProvider } = await import('../../functions/lambda/shims/lambda-credentials.js');
    const saved = { ...process.env };
    try {
      Object.assign(process.env, {
        AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
        AWS_SECRET_ACCESS_KEY: 'secret',
        AWS_SESSION_TOKEN: 'token',
      });
      await expect(defaultProvider()()).resolves.toEqual({
        accessKeyId: 'AKIDEXAMPLE',
        secretAccessKey: 'secret',
        sessionToken: 'token',
      });
      delete process.env.AWS_SECRET_ACCESS_KEY;
      await expect(defaultProvider()()).rejects.toThrow('Lambda always sets them');
    } finally {
      process.env = saved;
    }
  });

  it('replace the SDK event-stream codecs, which DynamoDB never uses, with a stub that fails by name', () => {
    for (const fn of ['PartnerApi', 'AdminApi']) {
      const code = read(fn, 'index.mjs');
      expect(code).toContain('Event streams are not bundled');
      expect(code).not.toContain('@smithy/core/event-streams');
    }
  });

  it('carry no SDK client for SSM or Secrets Manager: secrets come through the extension', () => {
    for (const fn of ['PartnerApi', 'AdminApi']) {
      const code = read(fn, 'index.mjs');
      // The service ids the SDK clients carry (X-Amz-Target prefixes).
      expect(code).not.toContain('AmazonSSM');
      expect(code).not.toContain('secretsmanager.');
      expect(code).toContain('/secretsmanager/get?secretId=');
    }
    expect(read('PartnerApi', 'index.mjs')).toContain('/systemsmanager/parameters/get?name=');
  });

  it('ship the built widget next to the partner handler, and only there', () => {
    const widget = read('PartnerApi', 'widget/v1.js');
    expect(widget.length).toBeGreaterThan(1_000);
    // Built by the bundling hook from widget/src, so a fresh clone needs no separate widget build.
    expect(widget).toBe(readFileSync(join(PROJECT_ROOT, 'dist', 'widget', 'v1.js'), 'utf8'));
    expect(existsSync(join(bundles.AdminApi ?? '', 'widget'))).toBe(false);
  });

  it('ship the built admin page, with its manifest, next to the admin handler only', () => {
    const manifest = JSON.parse(read('AdminApi', 'admin/manifest.json')) as {
      script: string;
      files: string[];
    };
    expect(manifest.files).toContain(manifest.script);
    for (const file of manifest.files)
      expect(existsSync(join(bundles.AdminApi ?? '', 'admin', file))).toBe(true);
    expect(existsSync(join(bundles.PartnerApi ?? '', 'admin'))).toBe(false);
  });

  it('keep admin routes and widget source out of the partner bundle', () => {
    const partner = read('PartnerApi', 'index.mjs');
    const admin = read('AdminApi', 'index.mjs');
    // Paths only the admin sub-apps register.
    for (const adminOnly of ['/admin/v1/campaigns', '/admin/v1/publish', '/admin/v1/partners']) {
      expect(admin).toContain(adminOnly);
      expect(partner).not.toContain(adminOnly);
    }
    // The widget's own code (shadow DOM rendering) is an asset file, not part of the handler.
    expect(partner).not.toContain('attachShadow');
  });
});
