// `npm test`: everything, in the order that fails fastest — lint, unused code, types, the API contract, then every suite
// (unit, integration, PostgreSQL, end-to-end). It says what it skipped and why.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const results = join(root, ".data", "test-results");
const env = { ...process.env, TURBO_TELEMETRY_DISABLED: "1" };

function step(title, command, args) {
  console.log(`\n━━ ${title} ━━ ${command} ${args.join(" ")}`);
  const started = Date.now();
  const run = spawnSync(command, args, { cwd: root, stdio: "inherit", env });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (run.status !== 0) {
    console.error(`\n✗ ${title} failed after ${seconds}s`);
    process.exit(run.status ?? 1);
  }
  console.log(`✓ ${title} (${seconds}s)`);
}

/** Counts the PostgreSQL tests that passed, from the JSON reports the suites write. */
function postgresTestsPassed() {
  if (!existsSync(results)) return 0;
  return readdirSync(results)
    .filter((name) => name.endsWith(".json"))
    .flatMap((name) => JSON.parse(readFileSync(join(results, name), "utf8")).testResults)
    .flatMap((file) => file.assertionResults.map((test) => ({ file: file.name, ...test })))
    .filter(
      (test) =>
        test.status === "passed" &&
        (/postgres/.test(test.file) || test.ancestorTitles.some((t) => /PostgreSQL/.test(t))),
    ).length;
}

rmSync(results, { recursive: true, force: true });
mkdirSync(results, { recursive: true });

step("lint", "npx", ["biome", "check", "."]);
// Unused files, exports and dependencies (knip.jsonc says what counts as used).
step("unused code", "npx", ["knip", "--no-progress"]);
step("typecheck", "npx", ["turbo", "run", "typecheck"]);
// The router and the OpenAPI document against the committed contract: a breaking change fails here.
step("api contract", "npm", ["run", "--silent", "api:check"]);
step("tests", "npx", ["turbo", "run", "test", "--concurrency=1"]);

const postgres = postgresTestsPassed();
writeFileSync(join(results, "postgres-suite.txt"), `${postgres}\n`);
if (postgres === 0) {
  const message = "The PostgreSQL suite did not run (TEST_DATABASE_URL unreachable?).";
  if (process.env.CI) {
    console.error(`\n✗ ${message} CI requires it.`);
    process.exit(1);
  }
  console.warn(`\n! ${message} Skipped locally; CI will fail.`);
} else {
  console.log(`\n✓ PostgreSQL suite: ${postgres} tests passed`);
}
console.log("\nAll checks passed.");
