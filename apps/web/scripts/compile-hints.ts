// After `next build` (the build script runs it): marks the scripts every page loads first — React
// DOM, Next's App Router runtime, Turbopack's runtime and the shared app chunk, the build
// manifest's rootMainFiles — with V8's explicit compile hint, `//# allFunctionsCalledOnLoad`
// (Chrome 136+). Turbopack emits each module as an arrow function that V8 compiles lazily, on
// the main thread, the first time it runs: profiled at 4x CPU throttling, compiling React DOM's
// and the router's modules was half of the event page's longest task after first paint. With
// the hint, Chromium compiles these files' functions while it streams them, on a background
// thread. Other browsers read a comment. docs/decisions/023-mobile-web.md
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const HINT = "//# allFunctionsCalledOnLoad\n";
const next = join(dirname(fileURLToPath(import.meta.url)), "..", ".next");
const manifest = JSON.parse(readFileSync(join(next, "build-manifest.json"), "utf8")) as { rootMainFiles: string[] };

let marked = 0;
for (const file of manifest.rootMainFiles) {
  if (!file.endsWith(".js")) continue;
  const path = join(next, file);
  const source = readFileSync(path, "utf8");
  // A second run over the same build leaves it as it is.
  if (source.startsWith(HINT)) continue;
  writeFileSync(path, HINT + source);
  marked++;
}
console.log(`compile hints: ${marked} of ${manifest.rootMainFiles.length} first-load scripts marked`);
