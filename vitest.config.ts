import { defineConfig } from 'vitest/config';

// .ci/run sets DUPLEX_TEST_REPORT_DIR to collect JSON results and print a plain pass/fail count.
const reportDir = process.env.DUPLEX_TEST_REPORT_DIR;

export default defineConfig({
  test: {
    reporters: reportDir ? ['default', ['json', { outputFile: `${reportDir}/unit.json` }]] : ['default'],
    include: ['lib/**/*.spec.ts'],
    testTimeout: 15_000,
    hookTimeout: 15_000,
  },
});
