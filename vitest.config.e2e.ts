import { defineConfig } from 'vitest/config';

// .ci/run sets DUPLEX_TEST_REPORT_DIR to collect JSON results and print a plain pass/fail count.
const reportDir = process.env.DUPLEX_TEST_REPORT_DIR;

// e2e specs hold real ports and start real Nest apps: run files one at a time on the 2-core CI box.
export default defineConfig({
  test: {
    reporters: reportDir ? ['default', ['json', { outputFile: `${reportDir}/e2e.json` }]] : ['default'],
    include: ['test/**/*.e2e-spec.ts'],
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 30_000,
  },
});
