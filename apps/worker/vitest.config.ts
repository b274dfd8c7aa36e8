import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // The end-to-end suites start servers and worker processes; two at a time keeps a
    // 2-core machine responsive.
    maxWorkers: 2,
    // npm test reads this report to count the PostgreSQL tests that ran.
    reporters: ["default", ["json", { outputFile: "../../.data/test-results/worker.json" }]],
  },
});
