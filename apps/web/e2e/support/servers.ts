import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { createServer } from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const webRoot = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const repoRoot = join(webRoot, "..", "..");

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

interface RunningProcess {
  name: string;
  child: ChildProcess;
  output(): string;
}

/** Starts a process in its own group, so stopping it stops everything it started. */
function startProcess(name: string, command: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv }) {
  const child = spawn(command, args, { ...options, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-20_000);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  return { name, child, output: () => output };
}

/** Polls until the process answers `url` with a status below 400 (or any status, for a bare liveness check). */
async function waitFor(url: string, proc: RunningProcess, timeoutMs: number, anyStatus = false): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (proc.child.exitCode !== null) {
      throw new Error(`${proc.name} exited with code ${proc.child.exitCode}:\n${proc.output()}`);
    }
    try {
      const response = await fetch(url);
      await response.body?.cancel();
      if (response.ok || anyStatus) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${proc.name} did not answer ${url} within ${timeoutMs} ms:\n${proc.output()}`);
}

async function stopProcess(proc: RunningProcess): Promise<void> {
  const { child } = proc;
  if (child.exitCode !== null || child.pid === undefined) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  try {
    process.kill(-child.pid, "SIGTERM");
  } catch {
    return;
  }
  const timer = setTimeout(() => {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, "SIGKILL");
    } catch {
      // already gone
    }
  }, 10_000);
  await exited;
  clearTimeout(timer);
}

export interface Stack {
  apiUrl: string;
  webUrl: string;
  stop(): Promise<void>;
}

/**
 * apps/server from source on an in-memory, freshly seeded database, and the production
 * build of the web app in front of it, each on a free loopback port. Both run in UTC
 * whatever this machine's zone, so a page that formats a time in its process's zone
 * instead of the venue's shows it (the browser runs elsewhere: see time-zones.test.ts).
 * Extra environment may be given for each.
 */
export async function startStack(
  options: { apiEnv?: Record<string, string>; webEnv?: Record<string, string> } = {},
): Promise<Stack> {
  if (!existsSync(join(webRoot, ".next", "BUILD_ID"))) {
    throw new Error("The web app is not built: run `npm run build -w @ticketing/web` (turbo builds it before `test`).");
  }
  const [apiPort, webPort] = [await freePort(), await freePort()];
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  const webUrl = `http://127.0.0.1:${webPort}`;
  const api = startProcess("apps/server", process.execPath, ["--import", "tsx", "apps/server/src/dev.ts"], {
    cwd: repoRoot,
    env: {
      ...process.env,
      TZ: "UTC",
      NODE_ENV: "development",
      PORT: String(apiPort),
      DATABASE_URL: "pglite://memory",
      WEB_ORIGINS: webUrl,
      LOG_LEVEL: "warn",
      ...options.apiEnv,
    },
  });
  // server.mjs is `npm run web`: Next behind the server that settles each client's address.
  const web = startProcess(
    "web server",
    process.execPath,
    [join(webRoot, "server.mjs"), "-p", String(webPort), "-H", "127.0.0.1"],
    {
      cwd: webRoot,
      env: {
        ...process.env,
        TZ: "UTC",
        NODE_ENV: "production",
        API_URL: apiUrl,
        NEXT_TELEMETRY_DISABLED: "1",
        ...options.webEnv,
      },
    },
  );
  const stop = async () => {
    await Promise.all([stopProcess(web), stopProcess(api)]);
  };
  try {
    await Promise.all([waitFor(`${apiUrl}/ready`, api, 90_000), waitFor(`${webUrl}/icon.svg`, web, 60_000, true)]);
  } catch (error) {
    await stop();
    throw error;
  }
  return { apiUrl, webUrl, stop };
}
