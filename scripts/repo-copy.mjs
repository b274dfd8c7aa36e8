// A disposable copy of the repository for experiments that edit sources (the scaffold's
// proof, the type-check at scale): the source tree is copied, installed packages are
// linked, so nothing is installed and the original is never touched.

import { spawn } from "node:child_process";
import { cpSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readlinkSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, isAbsolute, join, relative, resolve, sep } from "node:path";

/** Build output, caches and installed packages: never copied. */
const SKIPPED = new Set([
  "node_modules",
  ".git",
  ".data",
  ".next",
  ".turbo",
  ".tsbuild",
  "dist",
  "coverage",
  "test-results",
  "playwright-report",
]);

const inside = (parent, path) => path === parent || path.startsWith(parent + sep);

/**
 * Links one node_modules directory's entries into the copy. A workspace package's link is
 * relative (`@ticketing/api -> ../../packages/api`): it is recreated as the same relative
 * link, so it points at the copy's package, not the original's. Everything else links to
 * the original install. Vite's caches are left out (each copy makes its own).
 */
function linkNodeModules(source, target, root) {
  mkdirSync(target, { recursive: true });
  for (const entry of readdirSync(source)) {
    if (entry.startsWith(".vite") || entry === ".cache") continue;
    const from = join(source, entry);
    const to = join(target, entry);
    const stat = lstatSync(from);
    if (stat.isSymbolicLink()) {
      const link = readlinkSync(from);
      const points = resolve(dirname(from), link);
      const intoWorkspace = !isAbsolute(link) && inside(root, points) && !points.split(sep).includes("node_modules");
      symlinkSync(intoWorkspace ? link : points, to);
    } else if (stat.isDirectory() && entry.startsWith("@")) {
      linkNodeModules(from, to, root);
    } else {
      symlinkSync(from, to);
    }
  }
}

/** Every node_modules directory of the install: the root's and each workspace's own. */
function nodeModulesDirs(root) {
  const found = [];
  const walk = (dir, depth) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (!entry.isDirectory()) continue;
      const path = join(dir, entry.name);
      if (entry.name === "node_modules") found.push(path);
      else if (!SKIPPED.has(entry.name) && !entry.name.startsWith(".") && depth < 3) walk(path, depth + 1);
    }
  };
  walk(root, 0);
  return found;
}

/**
 * Copies the repository at `root` into a new temporary directory and links its installed
 * packages. Returns the copy's path and a function that removes it.
 */
export function copyRepo(root, prefix = "ticketing-copy-") {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  cpSync(root, dir, {
    recursive: true,
    filter: (path) => {
      const name = path.slice(path.lastIndexOf(sep) + 1);
      return path === root || !(SKIPPED.has(name) || name.endsWith(".tsbuildinfo") || name === "next-env.d.ts");
    },
  });
  for (const modules of nodeModulesDirs(root)) {
    linkNodeModules(modules, join(dir, relative(root, modules)), root);
  }
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * Runs a command in a copy to its end, with stdout and stderr together and colours off;
 * killed after `timeoutMs` when one is given.
 */
export function runIn(cwd, command, args, timeoutMs) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd,
      env: { ...process.env, TURBO_TELEMETRY_DISABLED: "1", NO_COLOR: "1", FORCE_COLOR: "0" },
      stdio: ["ignore", "pipe", "pipe"],
      ...(timeoutMs !== undefined && { timeout: timeoutMs }),
    });
    let output = "";
    child.stdout.on("data", (chunk) => {
      output += chunk;
    });
    child.stderr.on("data", (chunk) => {
      output += chunk;
    });
    child.once("error", reject);
    child.once("close", (code) => resolve({ code, output }));
  });
}
