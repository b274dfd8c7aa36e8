import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";
import { findChromium } from "./e2e/support/chromium";

const chromium = findChromium();
if (chromium.path !== null) {
  process.env.CHROMIUM_PATH = chromium.path;
} else if (!process.env.CI) {
  console.warn(`\n! Skipping the web end-to-end suite: ${chromium.reason}. CI requires it.\n`);
}
// In CI a missing browser is a failure: the e2e project stays, and its setup says why it cannot run.
const runEndToEnd = chromium.path !== null || Boolean(process.env.CI);

export default defineConfig({
  resolve: { alias: { "@": fileURLToPath(new URL("./src", import.meta.url)) } },
  test: {
    projects: [
      {
        extends: true as const,
        test: { name: "unit", include: ["src/**/*.test.ts"], testTimeout: 30_000 },
      },
      ...(runEndToEnd
        ? [
            {
              extends: true as const,
              test: {
                name: "e2e",
                include: ["e2e/**/*.test.ts"],
                globalSetup: ["e2e/global-setup.ts"],
                // One browser at a time against one server pair: a 2-core machine stays responsive.
                fileParallelism: false,
                testTimeout: 90_000,
                hookTimeout: 180_000,
              },
            },
          ]
        : []),
    ],
  },
});
