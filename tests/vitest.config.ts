import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Suites start servers and databases; two at a time keeps a 2-core machine responsive.
    maxWorkers: 2,
    // npm test reads this report to prove the PostgreSQL suite ran.
    reporters: ["default", ["json", { outputFile: "../.data/test-results/tests.json" }]],
  },
});
