// Writes the declarations (.tsbuild/ in packages/db, packages/rpc, packages/api and apps/server)
// through which the clients' type-checks and editors read the router, instead of checking its
// source again in every project (docs/decisions/015-typecheck-scale.md). Runs by itself: after
// `npm install` (postinstall), and in watch mode under `npm run dev`, so nobody has to.
//
//   node scripts/declarations.mjs [--watch]
//
// A type error in the router is reported but does not fail an install: the declarations are
// written anyway, and `npm run typecheck` is where such an error fails.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const tsc = join(root, "node_modules", "typescript-native", "bin", "tsc");
const watch = process.argv.includes("--watch");

if (!existsSync(tsc)) {
  // An install without dev dependencies (production) has no compiler and needs no declarations.
  console.error("declarations: no TypeScript 7 compiler installed, skipped");
  process.exit(0);
}
// tsconfig.declarations.json lists exactly the projects that others reference. It is not
// named tsconfig.json, which editors take as a candidate project for every file beneath it
// (with that name, tsserver grew to 1.8 GB in one run without answering a completion).
const args = [
  tsc,
  "--build",
  join(root, "tsconfig.declarations.json"),
  "--checkers",
  "1",
  // The router's projects one at a time, as `npm run typecheck` builds them (packages/api).
  "--builders",
  "1",
  ...(watch ? ["--watch", "--preserveWatchOutput"] : []),
];
const result = spawnSync(process.execPath, args, { stdio: "inherit" });
if (result.status !== 0 && !watch) {
  console.error("declarations: written, with type errors (above); `npm run typecheck` reports them too");
}
process.exit(watch ? (result.status ?? 1) : 0);
