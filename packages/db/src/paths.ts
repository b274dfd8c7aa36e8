import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

let cachedRoot: string | undefined;

/**
 * The monorepo root, found from this module's own location (source or bundle) by
 * walking up to turbo.json — never from the working directory, so `.data/` is the same
 * place whichever folder a command starts in.
 */
export function repoRoot(): string {
  if (cachedRoot) return cachedRoot;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, "turbo.json"))) {
      cachedRoot = dir;
      return dir;
    }
    const parent = dirname(dir);
    if (parent === dir)
      throw new Error(`Cannot find the repository root (turbo.json) above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
}

export const dataDir = () => join(repoRoot(), ".data");
export const migrationsFolder = () => join(repoRoot(), "packages", "db", "drizzle");
