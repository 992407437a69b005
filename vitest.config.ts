import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Integration and e2e tests start their own servers; two cores here, so keep the pool small.
    maxWorkers: 2,
    allowOnly: false,
    // The SDK's notice that Node 20 support ends (Lambda runs Node 22) is printed once per worker otherwise.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  },
});
