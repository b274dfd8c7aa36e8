import { spawn } from "node:child_process";
import { join } from "node:path";
import { demoUsers, openDatabase, queryRows, repoRoot } from "@ticketing/db";
import { createScratchPostgres, type ScratchDatabase } from "@ticketing/db/testing";
import { postgresAvailable } from "@ticketing/server/testing";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clientFor, codeOf } from "./support/client";
import { runScript, startServerProcess } from "./support/process";

const WORKER_TOKEN = "fleet-start-worker-token-0123";
const DEVELOPMENT_WORKER_TOKEN = "dev-worker-token-change-me";
const WARNING = "demo accounts with the public demo password";

/**
 * `npm run server` and `npm run admin:create` as an operator runs them: no NODE_ENV
 * (vitest's own "test" is blanked out), so the production defaults apply.
 */
const production = { NODE_ENV: "" };

/**
 * The admin command with what the operator pipes on stdin: through npm exactly as the
 * README writes it, or (cheaper, for the other cases) the script that npm runs.
 */
function createAdmin(args: string[], options: { env?: Record<string, string>; stdin?: string; viaNpm?: boolean }) {
  const [command, commandArgs] = options.viaNpm
    ? ["npm", ["run", "--silent", "admin:create", "--", ...args]]
    : [process.execPath, ["--import", "tsx", join(repoRoot(), "packages/db/src/cli/create-admin.ts"), ...args]];
  const child = spawn(command, commandArgs, {
    cwd: repoRoot(),
    env: { ...process.env, ...production, ADMIN_PASSWORD: "", ...options.env },
    stdio: ["pipe", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (chunk) => {
    output += chunk;
  });
  child.stderr.on("data", (chunk) => {
    output += chunk;
  });
  child.stdin.end(options.stdin ?? "");
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return { exited, output: () => output };
}

describe("`npm run server` without NODE_ENV", () => {
  it("refuses a missing or development worker token, naming the variable", async () => {
    const runs = [
      runScript("apps/server/src/main.ts", { ...production, WORKER_TOKEN: "", DATABASE_URL: "pglite://memory" }),
      runScript("apps/server/src/main.ts", {
        ...production,
        WORKER_TOKEN: DEVELOPMENT_WORKER_TOKEN,
        DATABASE_URL: "pglite://memory",
      }),
    ];
    expect(await Promise.all(runs.map((run) => run.exited))).toEqual([1, 1]);
    for (const run of runs) {
      expect(run.output()).toContain(
        "WORKER_TOKEN: is required in production, which `npm run server` is unless NODE_ENV says otherwise",
      );
      expect(run.output()).not.toContain("server listening");
    }
  });
});

const pg = await postgresAvailable();

describe.runIf(pg)("production start on an empty PostgreSQL", () => {
  let scratch: ScratchDatabase;
  beforeAll(async () => {
    scratch = await createScratchPostgres();
  });
  afterAll(() => scratch?.drop());

  async function users() {
    const handle = await openDatabase(scratch.url, { poolSize: 1 });
    try {
      return await queryRows<{ email: string; role: string }>(
        handle.db,
        sql`SELECT email, role::text FROM users ORDER BY email`,
      );
    } finally {
      await handle.close();
    }
  }

  it("three instances starting together migrate, make one service account that the worker token opens, and no demo user", async () => {
    const env = { ...production, DATABASE_URL: scratch.url, WORKER_TOKEN };
    const servers = await Promise.all([startServerProcess(env), startServerProcess(env), startServerProcess(env)]);
    try {
      expect(await users()).toEqual([{ email: "worker@ticketing.internal", role: "service" }]);
      for (const server of servers) {
        expect((await fetch(`${server.url}/ready`)).status).toBe(200);
        const worker = clientFor(server.url, WORKER_TOKEN);
        expect(await worker.me.query()).toMatchObject({ email: "worker@ticketing.internal", role: "service" });
        expect(await worker.releaseExpiredHolds.mutate({})).toEqual({ released: 0 });
        expect(await codeOf(clientFor(server.url, DEVELOPMENT_WORKER_TOKEN).releaseExpiredHolds.mutate({}))).toBe(
          "UNAUTHORIZED",
        );
        expect(server.output()).not.toContain(WARNING);
      }
    } finally {
      expect(await Promise.all(servers.map((server) => server.stop()))).toEqual([0, 0, 0]);
    }
    expect(await users()).toEqual([{ email: "worker@ticketing.internal", role: "service" }]);
  });

  it("admin:create takes the password from stdin or ADMIN_PASSWORD and refuses a missing or weak one", async () => {
    const args = (email: string) => ["--email", email];
    const runs = {
      stdin: createAdmin(args("Ops@Example.org"), {
        env: { DATABASE_URL: scratch.url },
        stdin: "tangerine kettle orbit fjord\n",
        viaNpm: true,
      }),
      env: createAdmin(args("backup@example.org"), {
        env: { DATABASE_URL: scratch.url, ADMIN_PASSWORD: "lantern quarry mosaic drift" },
      }),
      missing: createAdmin(args("missing@example.org"), { env: { DATABASE_URL: scratch.url } }),
      weak: createAdmin(args("weak@example.org"), { env: { DATABASE_URL: scratch.url }, stdin: "password123" }),
    };
    expect(await Promise.all(Object.values(runs).map((run) => run.exited))).toEqual([0, 0, 1, 1]);
    expect(runs.stdin.output()).toContain("Created the admin ops@example.org in PostgreSQL");
    expect(runs.env.output()).toContain("Created the admin backup@example.org in PostgreSQL");
    expect(runs.missing.output()).toContain("error: No password given: set ADMIN_PASSWORD or pipe it on stdin.");
    expect(runs.weak.output()).toContain("error: The password is too short: use at least 15 characters");
    expect(await users()).toEqual([
      { email: "backup@example.org", role: "admin" },
      { email: "ops@example.org", role: "admin" },
      { email: "worker@ticketing.internal", role: "service" },
    ]);
  });

  it("after an explicit db:seed, the server starts with a warning naming each demo account with the public password", async () => {
    const seed = runScript("packages/db/src/cli/seed.ts", { DATABASE_URL: scratch.url });
    expect(await seed.exited).toBe(0);
    const server = await startServerProcess({ ...production, DATABASE_URL: scratch.url, WORKER_TOKEN });
    try {
      const warning = server
        .output()
        .split("\n")
        .find((line) => line.includes(WARNING));
      expect(warning).toBeDefined();
      expect(JSON.parse(warning ?? "{}")).toMatchObject({
        level: 40,
        accounts: demoUsers.map((user) => user.email).sort(),
      });
      // The admins made before the seed keep their own passwords.
      const session = await clientFor(server.url).signIn.mutate({
        email: "ops@example.org",
        password: "tangerine kettle orbit fjord",
      });
      expect(session.user.role).toBe("admin");
    } finally {
      expect(await server.stop()).toBe(0);
    }
  });
});
