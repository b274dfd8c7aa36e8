import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

/**
 * What each package's index says it must not import, checked on the sources: every import
 * and re-export specifier of every .ts file under the package's src/.
 */

const root = join(fileURLToPath(import.meta.url), "..", "..", "..");

function sources(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith(".ts") ? [path] : [];
  });
}

const isTest = (file: string) => /\.test\.ts$/.test(file);

/** `file: specifier` for each import of the files under `dir` that `forbidden` matches. */
function importsUnder(dir: string, forbidden: (specifier: string) => boolean, files = sources(dir)): string[] {
  const found: string[] = [];
  for (const file of files) {
    const text = readFileSync(join(root, file), "utf8");
    for (const match of text.matchAll(/(?:\bfrom\s+|\bimport\s*\(\s*|^import\s+)"([^"]+)"/gm)) {
      const specifier = match[1] as string;
      if (forbidden(specifier)) found.push(`${file}: ${specifier}`);
    }
  }
  return found;
}

describe("the layout's import rules", () => {
  it("packages/rpc knows nothing of tickets: no @ticketing/* import", () => {
    expect(importsUnder("packages/rpc/src", (s) => s.startsWith("@ticketing/"))).toEqual([]);
  });

  it("its client half imports nothing of the server half and no node:* module; its server half no client", () => {
    const client = sources("packages/rpc/src/client").filter((file) => !isTest(file));
    expect(importsUnder("", (s) => s.startsWith("node:") || s.startsWith("../server"), client)).toEqual([]);
    const server = sources("packages/rpc/src/server").filter((file) => !isTest(file));
    expect(importsUnder("", (s) => s.startsWith("../client"), server)).toEqual([]);
  });

  it("packages/host serves any router: no app, no router, no database", () => {
    expect(importsUnder("packages/host/src", (s) => /^@ticketing\/(api|db|server|web|worker)\b/.test(s))).toEqual([]);
  });

  it("packages/db is the bottom: no other workspace package, nothing of tRPC", () => {
    expect(importsUnder("packages/db/src", (s) => s.startsWith("@ticketing/") || s.startsWith("@trpc/"))).toEqual([]);
  });

  it("packages/api has no transport and nothing of the apps", () => {
    const transport = (s: string) =>
      s === "node:http" ||
      s === "node:net" ||
      s.startsWith("@trpc/server/adapters") ||
      /^@ticketing\/(server|web|worker)\b/.test(s);
    expect(importsUnder("packages/api/src", transport)).toEqual([]);
    // @ticketing/api/time is read by browser pages: pure Intl.
    expect(importsUnder("", () => true, ["packages/api/src/domain/time.ts"])).toEqual([]);
  });

  it("apps/server reads packages/api through its entry points only, and nothing of the other apps", () => {
    const outside = (s: string) =>
      (s.startsWith("@ticketing/api") && s !== "@ticketing/api" && s !== "@ticketing/api/schemas") ||
      /^@ticketing\/(web|worker)\b/.test(s);
    expect(importsUnder("apps/server/src", outside)).toEqual([]);
  });
});
