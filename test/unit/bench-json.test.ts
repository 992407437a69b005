/**
 * `npm run bench -- --json` promises one JSON object on stdout (what a CI job or a script parses). A bench that
 * printed its own line in JSON mode broke that, so the runner's output is parsed here as a whole.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

describe('npm run bench -- --json', () => {
  it('prints exactly one JSON object holding each bench run', () => {
    const out = spawnSync(
      process.execPath,
      ['--import', 'tsx', 'bench/run.ts', '--json', '--quick', '--only', 'widget-size'],
      { encoding: 'utf8', env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' } },
    );
    expect(out.status, out.stderr).toBe(0);
    const figures = JSON.parse(out.stdout);
    expect(figures['widget-size']).toMatchObject({
      minifiedBytes: expect.any(Number),
      gzipBytes: expect.any(Number),
      budgetGzipBytes: expect.any(Number),
    });
  }, 60_000);
});
