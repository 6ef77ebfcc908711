import { defineConfig } from 'vitest/config';

// Pure logic, the CLI and the collector run in Node; browser features are covered by
// the Playwright specs in test/browser.
export default defineConfig({
  test: {
    include: ['test/unit/**/*.test.ts'],
    environment: 'node',
    testTimeout: 30_000,
  },
});
