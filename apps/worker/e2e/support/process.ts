import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { repoRoot } from "@ticketing/db/paths";

/** One line of the worker's JSON log. */
export interface LogLine {
  level: number;
  msg: string;
  [field: string]: unknown;
}

export interface WorkerProcess {
  child: ChildProcess;
  exited: Promise<number | null>;
  stdout(): string;
  stderr(): string;
  /** The JSON log lines written so far (stdout for the jobs, stderr for the import). */
  logs(): LogLine[];
  /** Resolves with the first log line that matches, failing (with the output) if none comes in time. */
  waitForLog(match: (line: LogLine) => boolean, timeoutMs?: number): Promise<LogLine>;
}

function parseLines(text: string): LogLine[] {
  return text.split("\n").flatMap((line) => {
    if (!line.startsWith("{")) return [];
    try {
      return [JSON.parse(line) as LogLine];
    } catch {
      return [];
    }
  });
}

/**
 * Runs the worker's own entry point as a separate Node process (tsx, no build), the way
 * `npm run worker` does, with the environment given on top of this one.
 */
export function runWorker(args: string[], env: Record<string, string>): WorkerProcess {
  const child = spawn(process.execPath, ["--import", "tsx", join(repoRoot(), "apps/worker/src/main.ts"), ...args], {
    cwd: repoRoot(),
    env: { ...process.env, NODE_ENV: "test", LOG_LEVEL: "info", API_URLS: "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (chunk) => {
    stdout += chunk;
  });
  child.stderr?.on("data", (chunk) => {
    stderr += chunk;
  });
  let exitCode: number | null | undefined;
  const exited = new Promise<number | null>((resolve) =>
    child.once("exit", (code) => {
      exitCode = code;
      resolve(code);
    }),
  );
  const logs = () => [...parseLines(stdout), ...parseLines(stderr)];
  return {
    child,
    exited,
    stdout: () => stdout,
    stderr: () => stderr,
    logs,
    async waitForLog(match, timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = logs().find(match);
        if (found) return found;
        if (exitCode !== undefined || Date.now() > deadline) {
          throw new Error(
            `${exitCode !== undefined ? `worker exited (${exitCode})` : "timed out"} before the expected log line:\n${stdout}\n${stderr}`,
          );
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
  };
}

/** Polls `check` until it returns true; fails with `what` after the timeout. */
export async function eventually(what: string, check: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
