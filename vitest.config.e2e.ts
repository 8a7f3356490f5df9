import { defineConfig } from 'vitest/config';

// e2e specs hold real ports and start real Nest apps: run files one at a time on the 2-core CI box.
export default defineConfig({
  test: {
    include: ['test/**/*.e2e-spec.ts'],
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 30_000,
  },
});
