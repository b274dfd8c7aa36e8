import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { chromium } from "playwright-core";

const DEBIAN_CHROMIUM = "/usr/bin/chromium";

export type ChromiumLookup = { path: string } | { path: null; reason: string };

function playwrightsOwn(): string | null {
  try {
    const path = chromium.executablePath();
    return path && existsSync(path) ? path : null;
  } catch {
    return null;
  }
}

/**
 * Finds a Chromium for the end-to-end suite: CHROMIUM_PATH, Playwright's own download, or
 * Debian's package — installing that package when running as root where apt-get exists.
 */
export function findChromium(): ChromiumLookup {
  const configured = process.env.CHROMIUM_PATH;
  if (configured) {
    return existsSync(configured)
      ? { path: configured }
      : { path: null, reason: `CHROMIUM_PATH=${configured} does not exist` };
  }
  const own = playwrightsOwn();
  if (own) return { path: own };
  if (existsSync(DEBIAN_CHROMIUM)) return { path: DEBIAN_CHROMIUM };

  const isRoot = process.getuid?.() === 0;
  const hasApt = spawnSync("sh", ["-c", "command -v apt-get"]).status === 0;
  if (!isRoot || !hasApt) {
    return { path: null, reason: "no Chromium found, and apt-get is not usable as root to install Debian's chromium" };
  }
  console.log("e2e: installing Debian's chromium with apt-get…");
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  spawnSync("apt-get", ["update", "-q"], { stdio: "inherit", env });
  const install = spawnSync("apt-get", ["install", "-y", "-q", "--no-install-recommends", "chromium"], {
    stdio: "inherit",
    env,
  });
  if (install.status === 0 && existsSync(DEBIAN_CHROMIUM)) return { path: DEBIAN_CHROMIUM };
  return { path: null, reason: "apt-get could not install chromium" };
}

/** Quiet, sandbox-free flags for a headless Chromium in a container. */
export const CHROMIUM_ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-component-update"];
