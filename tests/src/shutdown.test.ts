import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createTestApi } from "@ticketing/api/testing";
import { eventId, migrateDatabase, openDatabase, repoRoot, seedDemo } from "@ticketing/db";
import { createScratchPostgres, probePostgres, type ScratchDatabase } from "@ticketing/db/testing";
import { SHUTDOWN_MARGIN_MS } from "@ticketing/server";
import { build } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/**
 * SIGTERM ends the production server within its deadline (the grace period plus
 * SHUTDOWN_MARGIN_MS), RUNS times in each case, on PGlite and on PostgreSQL. Each run is a
 * fresh process of the production entry (apps/server/src/main.ts, bundled once as
 * `npm run build` does), so a start must be cheap: PGlite runs open a copy of a migrated and
 * seeded data directory; PostgreSQL runs share one migrated and seeded scratch database.
 */
/**
 * The hang this suite was written for (pino retrying a flush into a closed stdout) showed in
 * every run of its case, so eight runs per case catch a regression of it with room to spare;
 * `SHUTDOWN_RUNS=20` or more hunts rarer races, at minutes of CPU per extra round.
 */
const RUNS = Number(process.env.SHUTDOWN_RUNS ?? 8);
/** Runs at once: process starts are CPU-bound, and the machine has two cores. */
const PARALLEL = Number(process.env.SHUTDOWN_PARALLEL ?? 4);
const GRACE_MS = 1_000;
const DEADLINE_MS = GRACE_MS + SHUTDOWN_MARGIN_MS;
/**
 * Time the parent may add to the deadline before it calls a process hung: the SIGTERM
 * handler and this test's own timers are late on a loaded machine. A hang is forever.
 */
const SCHEDULING_SLACK_MS = 10_000;
const WORKER_TOKEN = "shutdown-test-worker-token-0123";
const EVENT_ID = eventId("harbor-jazz");

type Store = "PGlite" | "PostgreSQL";
type Case = "under load" | "with open subscriptions" | "with an upload in flight" | "with the parent gone";
const CASES: Case[] = ["under load", "with open subscriptions", "with an upload in flight", "with the parent gone"];

interface Tokens {
  customer: string;
  organizer: string;
}

interface Outcome {
  store: Store;
  case: Case;
  code: number | null;
  signal: NodeJS.Signals | null;
  stopMs: number;
  log: string;
}

const onPostgres = (await probePostgres()).ok || Boolean(process.env.CI);
const work = mkdtempSync(join(tmpdir(), "ticketing-shutdown-"));
// Inside the repository, so the bundle's npm imports resolve from its node_modules.
const bundleDir = join(repoRoot(), ".data", `shutdown-test-${process.pid}`);
const entry = join(bundleDir, "main.mjs");
const template = join(work, "template");
let pgliteTokens: Tokens;
let postgres: { scratch: ScratchDatabase; tokens: Tokens } | undefined;

/** Migrates and seeds a store, and opens a session for a customer and an organizer. */
async function prepare(url: string): Promise<Tokens> {
  const database = await openDatabase(url);
  try {
    await migrateDatabase(database);
    await seedDemo(database.db);
    const api = await createTestApi(database);
    return { customer: await api.tokenFor("alice@example.com"), organizer: await api.tokenFor("olivia@example.com") };
  } finally {
    await database.close();
  }
}

beforeAll(async () => {
  mkdirSync(bundleDir, { recursive: true });
  writeFileSync(join(bundleDir, "package.json"), '{ "type": "module" }\n');
  await build({
    entryPoints: [join(repoRoot(), "apps/server/src/main.ts")],
    outfile: entry,
    bundle: true,
    platform: "node",
    target: "node20",
    format: "esm",
    logLevel: "warning",
    plugins: [
      {
        name: "externalize-npm-packages",
        setup(pluginBuild) {
          pluginBuild.onResolve({ filter: /^[^./]/ }, (args) =>
            args.path.startsWith("@ticketing/") ? undefined : { path: args.path, external: true },
          );
        },
      },
    ],
  });
  pgliteTokens = await prepare(`pglite://${template}`);
  if (onPostgres) {
    const scratch = await createScratchPostgres();
    postgres = { scratch, tokens: await prepare(scratch.url) };
  }
}, 300_000);

afterAll(async () => {
  await postgres?.scratch.drop();
  rmSync(work, { recursive: true, force: true });
  rmSync(bundleDir, { recursive: true, force: true });
});

function startServer(databaseUrl: string) {
  const child = spawn(
    process.execPath,
    // Liftoff only: PGlite's WebAssembly is not re-optimized in the background, which would
    // cost each short-lived process seconds of CPU. It changes no behaviour.
    ["--liftoff-only", entry],
    {
      env: {
        ...process.env,
        NODE_ENV: "production",
        PORT: "0",
        DATABASE_URL: databaseUrl,
        WORKER_TOKEN,
        LOG_LEVEL: "info",
        SHUTDOWN_GRACE_MS: String(GRACE_MS),
        RATE_LIMIT_ADDRESS_PER_SECOND: "0",
        RATE_LIMIT_USER_PER_SECOND: "0",
      },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let log = "";
  child.stdout?.on("data", (chunk) => {
    log += chunk;
  });
  child.stderr?.on("data", (chunk) => {
    log += chunk;
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal })),
  );
  const url = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "server listening" line:\n${log}`)), 240_000);
    child.stdout?.on("data", () => {
      const found = log.match(/"url":"(http:\/\/[^"]+)"/);
      if (found?.[1]) {
        clearTimeout(timer);
        resolve(found[1]);
      }
    });
    void exited.then(({ code }) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code} before listening:\n${log}`));
    });
  });
  return { child, url, exited, log: () => log };
}

const trpcInput = (input: unknown) => `input=${encodeURIComponent(JSON.stringify({ json: input }))}`;

/** Calls in a loop on 8 connections until the server stops answering. */
function load(url: string, tokens: Tokens, stop: AbortSignal): Promise<void>[] {
  const authorization = `Bearer ${tokens.customer}`;
  const calls = [
    () => fetch(`${url}/trpc/getEvent?${trpcInput({ eventId: EVENT_ID })}`),
    () => fetch(`${url}/trpc/listEvents?${trpcInput({ limit: 20 })}`),
    () =>
      fetch(`${url}/trpc/createBooking`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization },
        body: JSON.stringify({ json: { eventId: EVENT_ID, quantity: 1 } }),
      }),
  ];
  return Array.from({ length: 8 }, async (_, i) => {
    const call = calls[i % calls.length];
    while (call && !stop.aborted) {
      try {
        await (await call()).arrayBuffer();
      } catch {
        return;
      }
    }
  });
}

/** Opens event streams and resolves once each has its response headers. */
async function subscribe(url: string, tokens: Tokens, stop: AbortSignal): Promise<Promise<void>[]> {
  const streams = await Promise.all([
    ...Array.from({ length: 4 }, () =>
      fetch(`${url}/trpc/onAvailabilityChange?${trpcInput({ eventId: EVENT_ID })}`, { signal: stop }),
    ),
    fetch(`${url}/trpc/onSalesChange`, { headers: { authorization: `Bearer ${tokens.organizer}` }, signal: stop }),
  ]);
  for (const stream of streams) expect(stream.headers.get("content-type")).toContain("text/event-stream");
  return streams.map(async (stream) => {
    await stream.body?.pipeTo(new WritableStream()).catch(() => {});
  });
}

/** Starts an import whose body stays open, and resolves once the server has imported rows of it. */
async function upload(url: string, tokens: Tokens, run: string): Promise<Promise<void>[]> {
  const importId = randomUUID();
  const encoder = new TextEncoder();
  let push!: ReadableStreamDefaultController<Uint8Array>;
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      push = controller;
    },
  });
  const authorization = `Bearer ${tokens.organizer}`;
  const answered = fetch(`${url}/trpc/importEvents`, {
    method: "POST",
    headers: { "content-type": "application/octet-stream", authorization, "idempotency-key": importId },
    body,
    duplex: "half",
  } as RequestInit).then(
    (response) => response.arrayBuffer().then(() => {}),
    () => {},
  );
  push.enqueue(encoder.encode("externalId,name,venue,startsAt\n"));
  push.enqueue(encoder.encode(`${run}-1,Shutdown ${run},The Lantern Room,2032-05-01T20:00:00Z\n`));
  for (let tries = 0; ; tries++) {
    const response = await fetch(`${url}/trpc/getImport?${trpcInput({ importId })}`, { headers: { authorization } });
    const text = await response.text();
    if (response.ok && /"rows":[1-9]/.test(text)) break;
    if (tries > 200) throw new Error(`the upload never started: ${response.status} ${text}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return [answered];
}

async function runOnce(store: Store, kind: Case, index: number): Promise<Outcome> {
  const run = `${store === "PGlite" ? "l" : "p"}-${CASES.indexOf(kind)}-${index}-${randomUUID().slice(0, 8)}`;
  let databaseUrl: string;
  let tokens: Tokens;
  let dataDir: string | undefined;
  if (store === "PGlite") {
    dataDir = join(work, run);
    cpSync(template, dataDir, { recursive: true });
    databaseUrl = `pglite://${dataDir}`;
    tokens = pgliteTokens;
  } else {
    if (!postgres) throw new Error("PostgreSQL is not available");
    databaseUrl = postgres.scratch.url;
    tokens = postgres.tokens;
  }
  const server = startServer(databaseUrl);
  const stop = new AbortController();
  let clients: Promise<void>[] = [];
  try {
    const url = await server.url;
    if (kind === "under load") {
      clients = load(url, tokens, stop.signal);
      // Let the calls get going before the signal.
      await new Promise((resolve) => setTimeout(resolve, 200));
    } else if (kind === "with open subscriptions") {
      clients = await subscribe(url, tokens, stop.signal);
    } else if (kind === "with an upload in flight") {
      clients = await upload(url, tokens, run);
    } else {
      // What a parent that died leaves behind: the read ends of stdout and stderr closed.
      server.child.stdout?.destroy();
      server.child.stderr?.destroy();
    }
    const signalled = performance.now();
    server.child.kill("SIGTERM");
    const hung = new Promise<"hung">((resolve) => {
      const timer = setTimeout(() => resolve("hung"), DEADLINE_MS + SCHEDULING_SLACK_MS);
      void server.exited.then(() => clearTimeout(timer));
    });
    const exit = await Promise.race([server.exited, hung]);
    const stopMs = Math.round(performance.now() - signalled);
    if (exit === "hung") {
      return { store, case: kind, code: null, signal: null, stopMs: Number.POSITIVE_INFINITY, log: server.log() };
    }
    return { store, case: kind, ...exit, stopMs, log: server.log() };
  } finally {
    stop.abort();
    if (server.child.exitCode === null && server.child.signalCode === null) server.child.kill("SIGKILL");
    await server.exited;
    await Promise.all(clients);
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Runs every task, `limit` at a time. */
async function pool<T>(tasks: (() => Promise<T>)[], limit: number): Promise<T[]> {
  const results: T[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, tasks.length) }, async () => {
      for (let i = next++; i < tasks.length; i = next++) {
        const task = tasks[i];
        if (task) results[i] = await task();
      }
    }),
  );
  return results;
}

describe("SIGTERM", () => {
  it(`ends the production server within its deadline, ${RUNS} times in each case, on PGlite${onPostgres ? " and on PostgreSQL" : ""}`, {
    timeout: 900_000,
  }, async () => {
    const stores: Store[] = onPostgres ? ["PGlite", "PostgreSQL"] : ["PGlite"];
    const only = process.env.SHUTDOWN_CASE;
    const tasks = stores.flatMap((store) =>
      CASES.filter((kind) => !only || kind === only).flatMap((kind) =>
        Array.from({ length: RUNS }, (_, index) => () => runOnce(store, kind, index)),
      ),
    );
    const started = performance.now();
    const outcomes = await pool(tasks, PARALLEL);
    const wallSeconds = ((performance.now() - started) / 1000).toFixed(1);

    const summary = new Map<string, { clean: number; deadline: number; hung: number; slowest: number }>();
    for (const outcome of outcomes) {
      const key = `${outcome.store} ${outcome.case}`;
      const entry = summary.get(key) ?? { clean: 0, deadline: 0, hung: 0, slowest: 0 };
      if (outcome.code === 0) entry.clean++;
      else if (outcome.code === null && outcome.signal === null) entry.hung++;
      else entry.deadline++;
      entry.slowest = Math.max(entry.slowest, outcome.stopMs);
      summary.set(key, entry);
    }
    console.log(
      `shutdown: ${outcomes.length} runs in ${wallSeconds} s (deadline ${DEADLINE_MS} ms)\n` +
        [...summary]
          .map(
            ([key, { clean, deadline, slowest }]) =>
              `  ${key}: ${clean} clean, ${deadline} at the deadline, slowest ${slowest} ms`,
          )
          .join("\n"),
    );

    for (const outcome of outcomes) {
      const where = `${outcome.store} ${outcome.case}`;
      // Exited by itself, never by a second signal.
      expect(outcome.stopMs, `${where}: still running after SIGTERM\n${outcome.log.slice(-2000)}`).toBeLessThan(
        DEADLINE_MS + SCHEDULING_SLACK_MS,
      );
      expect(outcome.signal, where).toBeNull();
      if (outcome.code === 0) continue;
      // A shutdown that ran out of time exits with 1 and says what it was waiting for
      // (unless its log has nowhere to go: the parent is gone).
      expect(outcome.code, `${where}\n${outcome.log.slice(-2000)}`).toBe(1);
      if (outcome.case !== "with the parent gone") expect(outcome.log).toContain('"waitingFor"');
    }
  });
});
