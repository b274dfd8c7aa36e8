import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { repoRoot } from "@ticketing/db";

export interface ServerProcess {
  url: string;
  child: ChildProcess;
  output: () => string;
  /** Sends a signal and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

const tsxNode = (script: string) => ["--import", "tsx", join(repoRoot(), script)];

/** Runs a TypeScript entry point in its own Node process (tsx loader, no build needed). */
export function runScript(script: string, env: Record<string, string>) {
  const child = spawn(process.execPath, tsxNode(script), {
    cwd: repoRoot(),
    env: { ...process.env, LOG_LEVEL: "info", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (chunk) => {
    output += chunk;
  });
  child.stderr?.on("data", (chunk) => {
    output += chunk;
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return { child, exited, output: () => output };
}

/** Starts apps/server's production entry and waits for its "listening" line. */
export async function startServerProcess(env: Record<string, string>, timeoutMs = 60_000): Promise<ServerProcess> {
  const run = runScript("apps/server/src/main.ts", { PORT: "0", NODE_ENV: "test", ...env });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${run.output()}`)), timeoutMs);
    const check = () => {
      const match = run.output().match(/"url":"(http:\/\/[^"]+)"/);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    run.child.stdout?.on("data", check);
    run.exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before listening:\n${run.output()}`));
    });
  });
  return {
    url,
    child: run.child,
    output: run.output,
    stop(signal = "SIGTERM") {
      run.child.kill(signal);
      return run.exited;
    },
  };
}
