#!/usr/bin/env node
// npm run bench: the performance goals of docs/goals.md, each measured side by side with its baseline
// in one run. Servers run in their own processes: bench/src/serve.ts, bundled first the way
// `npm run build` bundles apps/server (scripts/bundle.mjs: our packages compiled in, npm
// packages imported), so the servers measured run the code production runs. This process
// only generates load (autocannon) and writes bench/results/latest.{md,svg,json}.
//   BENCH_QUICK=1 npm run bench    a shorter smoke run (seconds, not minutes; figures rough)
//   BENCH_ONLY=bookings npm run bench   the createBooking comparison alone, printed, not recorded
//   BENCH_ONLY=web npm run bench        the web figures alone (event page JS and LCP, Lighthouse),
//                                       printed and recorded in bench/results/web.{md,json}
//   BENCH_ONLY=postgres npm run bench   event reads and staleness on PostgreSQL alone, printed, not recorded
//   BENCH_ONLY=tracing npm run bench    the tracing comparison alone, printed, not recorded
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir, totalmem } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const resultsDir = join(root, "bench", "results");
const QUICK = process.env.BENCH_QUICK === "1";
const SECONDS = QUICK ? 3 : 10;
const WARMUP = QUICK ? 1 : 2;
const CONNECTIONS = 50;
const BOOKING_SECONDS = QUICK ? 4 : 8;
const BOOKING_ROUNDS = 2;
const BOOKING_CLIENTS = 200;
const SOAK_WINDOWS = QUICK ? 2 : 12;
const SOAK_WINDOW_SECONDS = QUICK ? 5 : 10;
const LOADS = QUICK ? 3 : 9;
// At least 50 bookings in any run: the staleness p99 is read from them.
const STALENESS_BOOKINGS = QUICK ? 50 : 100;
const started = Date.now();

const log = (line) => process.stderr.write(`[bench ${((Date.now() - started) / 1000).toFixed(0)}s] ${line}\n`);

/** Runs a command to its end; resolves with stdout (rejects with its output on failure). */
function run(command, args, options = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: root, env: { ...process.env, ...options.env }, stdio: "pipe" });
    let out = "";
    let err = "";
    child.stdout.on("data", (chunk) => {
      out += chunk;
    });
    child.stderr.on("data", (chunk) => {
      err = (err + chunk).slice(-4000);
    });
    child.on("error", reject);
    child.on("exit", (code) =>
      code === 0 ? resolve(out) : reject(new Error(`${command} ${args.join(" ")} exited ${code}:\n${err}${out}`)),
    );
  });
}

const lastJsonLine = (text) => JSON.parse(text.trim().split("\n").filter(Boolean).at(-1) ?? "null");
const tsx = (script, args, env) => run(process.execPath, ["--import", "tsx", script, ...args], { env });

const serveBundle = join(root, "bench", "dist", "serve.js");
/**
 * bench/src/serve.ts as production would run it: one esbuild bundle, run by plain node. Under
 * tsx every function the TypeScript declares is also given its name at run time (esbuild's
 * keepNames), a cost per closure that `npm run server` does not pay: about a tenth of a
 * cached getEvent's throughput here.
 */
let bundled;
const bundleServers = () =>
  (bundled ??= run(process.execPath, ["scripts/bundle.mjs", "bench/src/serve.ts", serveBundle]));

/** A server from bench/src/serve.ts (bundled) in its own process; resolves once it listens. */
async function startServer(mode, env = {}) {
  await bundleServers();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [serveBundle, mode], {
      cwd: root,
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let err = "";
    child.stderr.on("data", (chunk) => {
      err = (err + chunk).slice(-4000);
    });
    child.on("exit", (code) => reject(new Error(`${mode} server exited ${code}:\n${err}`)));
    let buffered = "";
    child.stdout.on("data", (chunk) => {
      buffered += chunk;
      const line = buffered.split("\n").find((l) => l.startsWith('{"ready"'));
      if (!line) return;
      const { port, pid } = JSON.parse(line);
      child.stdout.removeAllListeners("data");
      child.stdout.resume();
      resolve({
        url: `http://127.0.0.1:${port}`,
        pid,
        stop: () =>
          new Promise((done) => {
            child.removeAllListeners("exit");
            child.once("exit", () => done());
            child.kill("SIGTERM");
          }),
      });
    });
  });
}

/** autocannon against one URL; the first WARMUP seconds are thrown away. */
async function load(url, options = {}) {
  const base = {
    url,
    connections: options.connections ?? CONNECTIONS,
    headers: options.headers,
    // Several paths: each connection sends them in turn.
    ...(options.paths && { requests: options.paths.map((path) => ({ method: "GET", path })) }),
  };
  if (options.warmup !== false) await autocannon({ ...base, duration: WARMUP });
  const result = await autocannon({
    ...base,
    duration: options.seconds ?? SECONDS,
    ...(options.rate && { overallRate: options.rate }),
  });
  return {
    rps: Math.round(result.requests.average),
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    total: result.requests.total,
  };
}

function rssMb(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
    return Math.round(kb / 102.4) / 10;
  } catch {
    return null;
  }
}

const jazzInput = async (url) => {
  const list = await (
    await fetch(
      `${url}/trpc/listEvents?input=${encodeURIComponent(JSON.stringify({ json: { query: "Harbor Jazz" } }))}`,
    )
  ).json();
  const id = list.result.data.json.items[0].id;
  return encodeURIComponent(JSON.stringify({ json: { eventId: id } }));
};

// ---------------------------------------------------------------- tracing on / unset
/** The OTEL_* variables a server gets: none set (tracing off) unless given. */
const otelEnv = (given = {}) => ({
  OTEL_EXPORTER_OTLP_ENDPOINT: "",
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "",
  OTEL_TRACES_SAMPLER: "",
  OTEL_SDK_DISABLED: "",
  ...given,
});

/** Alternating pairs of tracing rounds (on then off, off then on, …): the machine is shared. */
const TRACING_PAIRS = QUICK ? 2 : 4;
/** The BatchSpanProcessor settings a run used: the OTEL_BSP_* given, else the SDK's defaults. */
const bspSettings = () =>
  Object.fromEntries(
    [
      ["OTEL_BSP_MAX_QUEUE_SIZE", "2048"],
      ["OTEL_BSP_MAX_EXPORT_BATCH_SIZE", "512"],
      ["OTEL_BSP_SCHEDULE_DELAY", "5000"],
    ].map(([name, sdkDefault]) => [name, process.env[name] || `${sdkDefault} (SDK default)`]),
  );
const loadAverage = () =>
  loadavg()
    .map((v) => v.toFixed(2))
    .join(" ");
const median = (list) => {
  const sorted = [...list].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

/**
 * A process's CPU time so far in ms (user + system, from /proc at 100 ticks a second): a
 * server's CPU per request moves far less with the machine's other load than its requests
 * per second do.
 */
function cpuMsOf(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** One measured load round on a server, with the server's CPU time per request in it. */
async function loadWithCpu(server, url) {
  await load(url, { seconds: WARMUP, warmup: false });
  const cpuBefore = cpuMsOf(server.pid);
  const result = await load(url, { warmup: false });
  const cpuMs = cpuMsOf(server.pid) - cpuBefore;
  return { ...result, cpuUsPerRequest: result.total > 0 ? Math.round((1000 * cpuMs) / result.total) : null };
}

/** The calls a product server counted (rpc_calls_total) for one procedure, every outcome. */
async function callsCounted(url, procedure) {
  const text = await (await fetch(`${url}/metrics`)).text();
  let calls = 0;
  for (const line of text.split("\n")) {
    if (line.startsWith("rpc_calls_total{") && line.includes(`procedure="${procedure}"`)) {
      calls += Number(line.slice(line.lastIndexOf(" ") + 1));
    }
  }
  return calls;
}

/**
 * getEvent (cached, PGlite) on two product servers of the same build: tracing on (the SDK
 * started, every call sampled with `always_on`, spans exported as OTLP/protobuf over HTTP to
 * a sink on loopback) and tracing off (endpoint unset: no SDK loaded, the API's no-op
 * tracer), in alternating pairs of rounds; the figure is the median of the pairs' ratios.
 * The sink takes the exports' bytes as a remote collector would cost this host nothing more
 * than the sockets, and decodes them after the load to count them: every call the traced
 * server counted must have arrived as its span (the server exports its buffer when stopped).
 * Then what the tracing calls cost with no SDK, in process (bench/src/tracing-hooks.ts), set
 * against the off server's time per request: the throughput a build without them would
 * reach, estimated, since one build cannot run both ways.
 */
async function tracingCost() {
  const conditions = {
    commit: await commitOf(),
    cpus: `${cpus().length} × ${cpus()[0]?.model ?? "?"}`,
    node: process.version,
    loadBefore: loadAverage(),
    protocol: "http/protobuf",
    sampler: "always_on",
    bsp: bspSettings(),
    connections: CONNECTIONS,
    seconds: SECONDS,
    warmupSeconds: WARMUP,
    pairs: TRACING_PAIRS,
  };
  log("tracing: an OTLP sink, a product server exporting every span to it, one with the endpoint unset");
  const sink = await startServer("otlp-sink");
  const [on, off] = await Promise.all([
    startServer(
      "product",
      otelEnv({
        OTEL_EXPORTER_OTLP_ENDPOINT: sink.url,
        OTEL_EXPORTER_OTLP_PROTOCOL: conditions.protocol,
        OTEL_TRACES_SAMPLER: conditions.sampler,
      }),
    ),
    startServer("product", otelEnv()),
  ]);
  const path = `/trpc/getEvent?input=${await jazzInput(off.url)}`;
  const runs = { on: [], off: [] };
  const pairRatios = [];
  let calls;
  const roundsStarted = Date.now();
  try {
    for (let pair = 0; pair < TRACING_PAIRS; pair++) {
      for (const name of pair % 2 === 0 ? ["on", "off"] : ["off", "on"]) {
        log(`tracing pair ${pair + 1}/${TRACING_PAIRS}: ${name}`);
        const server = name === "on" ? on : off;
        runs[name].push(await loadWithCpu(server, `${server.url}${path}`));
      }
      pairRatios.push(runs.on[pair].rps / runs.off[pair].rps);
    }
    calls = await callsCounted(on.url, "getEvent");
  } finally {
    // Stopping the traced server exports what its span processor still holds.
    await Promise.all([on.stop(), off.stop()]);
  }
  conditions.loadAfter = loadAverage();
  conditions.roundsSeconds = Math.round((Date.now() - roundsStarted) / 1000);
  const exported = await (await fetch(`${sink.url}/stats`)).json();
  await sink.stop();
  const hooks = lastJsonLine(await tsx("bench/src/tracing-hooks.ts", []));
  const best = (list) => list.reduce((a, b) => (b.rps > a.rps ? b : a));
  const bestOn = best(runs.on);
  const bestOff = best(runs.off);
  // One server process serves at most 1/rps seconds per request; without the tracing calls
  // each request would take nsPerCall less.
  const secondsPerRequest = 1 / bestOff.rps;
  const withoutTracingRps = 1 / Math.max(secondsPerRequest - hooks.nsPerCall / 1e9, 1e-9);
  const callSpans = exported.spansByName.getEvent ?? 0;
  const cpuOn = median(runs.on.map((r) => r.cpuUsPerRequest));
  const cpuOff = median(runs.off.map((r) => r.cpuUsPerRequest));
  return {
    conditions,
    onShare: 100 * median(pairRatios),
    pairShares: pairRatios.map((ratio) => Math.round(1000 * ratio) / 10),
    on: bestOn,
    off: bestOff,
    rounds: { on: runs.on.map((r) => r.rps), off: runs.off.map((r) => r.rps) },
    // The server's CPU per request, median of its rounds: what throughput would be in
    // proportion to if each server had a core to itself.
    cpuUsPerRequest: { on: cpuOn, off: cpuOff, offOverOn: cpuOn > 0 ? (100 * cpuOff) / cpuOn : null },
    calls,
    spansPerCall: calls > 0 ? exported.spans / calls : 0,
    callsWithoutSpan: calls - callSpans,
    exported,
    hookNsPerCall: hooks.nsPerCall,
    withoutTracingRps: Math.round(withoutTracingRps),
  };
}

// ---------------------------------------------------------------- (a) getEvent, (b) batching
async function throughput() {
  log("getEvent: starting the product server (PGlite, direct path, cache), bare node:http, tRPC's adapters");
  const product = await startServer("product");
  const input = await jazzInput(product.url);
  const path = `/trpc/getEvent?input=${input}`;
  const bodyFile = join(tmpdir(), `bench-getevent-${process.pid}.json`);
  const reference = await fetch(`${product.url}${path}`);
  writeFileSync(bodyFile, Buffer.from(await reference.arrayBuffer()));
  const [bare, standalone, fetchAdapter] = await Promise.all([
    startServer("bare", { BENCH_BODY_FILE: bodyFile }),
    startServer("standalone"),
    startServer("product", { RPC_DIRECT_PATH: "false" }),
  ]);
  const hosts = { product, bare, standalone, fetchAdapter };
  // The batch is what a page listing events would send: getEvent for each seeded event (10
  // calls, the list repeated to fill them); unbatched, the same 10 calls one request each.
  const seeded = await (
    await fetch(`${product.url}/trpc/listEvents?input=${encodeURIComponent(JSON.stringify({ json: {} }))}`)
  ).json();
  const ids = seeded.result.data.json.items.map((item) => item.id);
  const batchIds = Array.from({ length: 10 }, (_, i) => ids[i % ids.length]);
  const batchInput = encodeURIComponent(
    JSON.stringify(Object.fromEntries(batchIds.map((eventId, i) => [i, { json: { eventId } }]))),
  );
  const batchPath = `/trpc/${Array(10).fill("getEvent").join(",")}?batch=1&input=${batchInput}`;
  const unbatchedPaths = batchIds.map(
    (eventId) => `/trpc/getEvent?input=${encodeURIComponent(JSON.stringify({ json: { eventId } }))}`,
  );
  // Two rounds in opposite orders, each host's better run kept: a burst of load from elsewhere
  // on this shared machine then costs one run, not the comparison.
  const runs = { product: [], bare: [], standalone: [], fetchAdapter: [], batched: [], unbatched: [] };
  const order = ["product", "bare", "standalone", "fetchAdapter", "batched", "unbatched"];
  try {
    for (const [round, names] of [order, [...order].reverse()].entries()) {
      for (const name of names) {
        log(`getEvent round ${round + 1}: ${name}`);
        const url =
          name === "batched"
            ? `${product.url}${batchPath}`
            : name === "unbatched"
              ? product.url
              : `${hosts[name].url}${path}`;
        runs[name].push(await load(url, name === "unbatched" ? { paths: unbatchedPaths } : {}));
      }
    }
  } finally {
    await Promise.all(Object.values(hosts).map((host) => host.stop()));
  }
  const best = (name) => runs[name].reduce((a, b) => (b.rps > a.rps ? b : a));
  const batched = best("batched");
  const unbatched = best("unbatched");
  return {
    getEvent: {
      product: best("product"),
      bare: best("bare"),
      standalone: best("standalone"),
      fetchAdapter: best("fetchAdapter"),
    },
    rounds: Object.fromEntries(Object.entries(runs).map(([name, list]) => [name, list.map((r) => r.rps)])),
    batch: {
      batchedRequests: batched.rps,
      batchedCallsPerSecond: batched.rps * 10,
      unbatchedCallsPerSecond: unbatched.rps,
      batchedP99: batched.p99,
      unbatchedP99: unbatched.p99,
      non2xx: batched.non2xx + unbatched.non2xx,
    },
    path,
  };
}

// ---------------------------------------------------------------- (c) createBooking on PostgreSQL
async function bookings() {
  log("createBooking: scratch PostgreSQL with 2 × 20 events of 3,000 seats and 200 accounts");
  let setup;
  try {
    setup = lastJsonLine(await tsx("bench/src/booking.ts", ["setup"]));
  } catch (error) {
    return { skipped: `PostgreSQL unavailable: ${String(error.message).split("\n")[0]}` };
  }
  const env = { BENCH_ACCOUNTS: setup.accounts };
  const booking = (args) => tsx("bench/src/booking.ts", args, env).then(lastJsonLine);
  try {
    const server = await startServer("product", { DATABASE_URL: setup.url, DATABASE_POOL_SIZE: "20" });
    const startRss = rssMb(server.pid);
    // A short uncounted round per side first, as for getEvent, so neither side's first
    // counted round pays for compiling and connecting. (The full stack's first counted round
    // still tends to come out lower than its second; the cause is not known.)
    log(`createBooking warm-up: ${WARMUP} s per side`);
    const rawWarm = await booking(["raw", setup.url, setup.rawEvents, WARMUP, BOOKING_CLIENTS]);
    const fullWarm = await booking(["http", server.url, setup.httpEvents, WARMUP, BOOKING_CLIENTS]);
    // Alternating rounds, so a burst of load from elsewhere on the machine hits both sides.
    const rawRounds = [];
    const fullRounds = [];
    for (let round = 1; round <= BOOKING_ROUNDS; round++) {
      log(`createBooking round ${round}: raw SQL seat claim, ${BOOKING_CLIENTS} clients, ${BOOKING_SECONDS} s`);
      rawRounds.push(await booking(["raw", setup.url, setup.rawEvents, BOOKING_SECONDS, BOOKING_CLIENTS]));
      log(`createBooking round ${round}: full stack over HTTP, ${BOOKING_CLIENTS} clients, ${BOOKING_SECONDS} s`);
      fullRounds.push(await booking(["http", server.url, setup.httpEvents, BOOKING_SECONDS, BOOKING_CLIENTS]));
    }
    const serverRss = { start: startRss, end: rssMb(server.pid) };
    await server.stop();
    const rawCheck = await booking(["check", setup.url, setup.rawEvents]);
    const fullCheck = await booking(["check", setup.url, setup.httpEvents]);
    const raw = combine(rawRounds);
    const full = combine(fullRounds);
    return {
      rounds: { raw: rawRounds.map((r) => r.perSecond), full: fullRounds.map((r) => r.perSecond) },
      raw: {
        ...raw,
        oversold: rawCheck.oversold,
        duplicated: Math.max(0, rawCheck.bookings - raw.bookings - rawWarm.bookings),
      },
      full: {
        ...full,
        oversold: fullCheck.oversold,
        // Bookings in the database beyond those acknowledged, plus replays that got another booking.
        // (The warm-up's bookings are in the database too, and its replays were checked alike.)
        duplicated:
          Math.max(0, fullCheck.bookings - full.bookings - fullWarm.bookings) +
          full.replayMismatches +
          fullWarm.replayMismatches,
        serverRss,
      },
    };
  } finally {
    await tsx("bench/src/booking.ts", ["drop", setup.url]).catch((error) => log(`drop failed: ${error.message}`));
  }
}

/** Rounds of one side as one figure: all bookings over all the time; the worst p99. */
function combine(rounds) {
  const failed = {};
  for (const round of rounds)
    for (const [code, n] of Object.entries(round.failed)) failed[code] = (failed[code] ?? 0) + n;
  const bookings = rounds.reduce((n, r) => n + r.bookings, 0);
  return {
    bookings,
    perSecond: Math.round(bookings / (rounds.length * BOOKING_SECONDS)),
    p50Ms: Math.max(...rounds.map((r) => r.p50Ms)),
    p99Ms: Math.max(...rounds.map((r) => r.p99Ms)),
    failed,
    replays: rounds.reduce((n, r) => n + (r.replays ?? 0), 0),
    replayMismatches: rounds.reduce((n, r) => n + (r.replayMismatches ?? 0), 0),
  };
}

// ---------------------------------------------------------------- (c2) event reads on PostgreSQL
/**
 * getEvent on PostgreSQL (docs/decisions/016): one instance with its event cache and one
 * without (every read counts from the kept counts), for the seed's 208-seat event and its
 * arena event, each beside a bare node:http server sending the same bytes; then a second
 * cached instance, and how long it takes to show a booking made on the first.
 */
async function postgresReads() {
  log("PostgreSQL reads: scratch database with the demo seed");
  let setup;
  try {
    setup = lastJsonLine(await tsx("bench/src/postgres-path.ts", ["setup"]));
  } catch (error) {
    return { skipped: `PostgreSQL unavailable: ${String(error.message).split("\n")[0]}` };
  }
  const env = { DATABASE_URL: setup.url, DATABASE_POOL_SIZE: "20" };
  const hosts = [];
  try {
    const cached = await startServer("product", env);
    hosts.push(cached);
    const uncached = await startServer("product", { ...env, EVENT_CACHE: "false" });
    hosts.push(uncached);
    const events = { small: setup.small, arena: setup.arena };
    const targets = [];
    for (const [name, event] of Object.entries(events)) {
      const path = `/trpc/getEvent?input=${encodeURIComponent(JSON.stringify({ json: { eventId: event.id } }))}`;
      const bodyFile = join(tmpdir(), `bench-getevent-${name}-${process.pid}.json`);
      writeFileSync(bodyFile, Buffer.from(await (await fetch(`${uncached.url}${path}`)).arrayBuffer()));
      const bare = await startServer("bare", { BENCH_BODY_FILE: bodyFile });
      hosts.push(bare);
      targets.push(
        { key: `${name}.bare`, url: `${bare.url}${path}` },
        { key: `${name}.cached`, url: `${cached.url}${path}` },
        { key: `${name}.uncached`, url: `${uncached.url}${path}` },
      );
    }
    const runs = Object.fromEntries(targets.map((target) => [target.key, []]));
    for (const [round, list] of [targets, [...targets].reverse()].entries()) {
      for (const target of list) {
        log(`PostgreSQL getEvent round ${round + 1}: ${target.key}`);
        runs[target.key].push(await load(target.url));
      }
    }
    const best = (key) => runs[key].reduce((a, b) => (b.rps > a.rps ? b : a));
    const reads = Object.fromEntries(
      Object.entries(events).map(([name, event]) => [
        name,
        {
          seats: event.seats,
          bare: best(`${name}.bare`),
          cached: best(`${name}.cached`),
          uncached: best(`${name}.uncached`),
        },
      ]),
    );
    log(`staleness: ${STALENESS_BOOKINGS} bookings on instance A, each until instance B's getEvent shows it`);
    const other = await startServer("product", env);
    hosts.push(other);
    const staleness = lastJsonLine(
      await tsx("bench/src/postgres-path.ts", [
        "staleness",
        cached.url,
        other.url,
        setup.arena.id,
        String(STALENESS_BOOKINGS),
      ]),
    );
    return {
      reads,
      rounds: Object.fromEntries(Object.entries(runs).map(([key, list]) => [key, list.map((r) => r.rps)])),
      staleness,
    };
  } finally {
    await Promise.all(hosts.map((host) => host.stop()));
    await tsx("bench/src/postgres-path.ts", ["drop", setup.url]).catch((error) => log(`drop failed: ${error.message}`));
  }
}

// ---------------------------------------------------------------- (d) type-check scale
async function typecheckScale() {
  const script = join(root, "scripts", "typecheck-scale.mjs");
  if (!existsSync(script)) return { skipped: "not run (script missing)" };
  log("type-check: 1,000 generated procedures vs none");
  let scale;
  try {
    scale = lastJsonLine(await run(process.execPath, [script, "--json", "--keep"]));
  } catch (error) {
    return { skipped: `failed: ${String(error.message).split("\n")[0]}` };
  }
  // Member completion on the clients' proxies, with the language server the README recommends
  // (TypeScript 7's), in the repository as is and in the copy with the 1,000 procedures (its
  // declarations are written by the type-check just run, as `npm install` writes them).
  const completion = {};
  try {
    for (const app of ["worker", "web"]) {
      for (const [side, args] of [
        ["asIs", []],
        ["scaled", ["--root", scale.kept]],
      ]) {
        log(`completion: ${app}, ${side === "asIs" ? "as is" : "+1,000 procedures"}`);
        const probe = join(root, "scripts", "completion-latency.mjs");
        completion[`${app}.${side}`] = lastJsonLine(
          await run(process.execPath, [probe, "--app", app, "--server", "tsgo", "--json", ...args]),
        );
      }
    }
  } catch (error) {
    completion.skipped = `failed: ${String(error.message).split("\n")[0]}`;
  } finally {
    if (scale.kept) rmSync(scale.kept, { recursive: true, force: true });
  }
  const { kept: _kept, ...figures } = scale;
  return { ...figures, completion };
}

// ---------------------------------------------------------------- (e) web event page
async function webPage() {
  const web = join(root, "apps", "web");
  if (!existsSync(join(web, ".next", "BUILD_ID"))) {
    log("web: building the production app (next build)");
    await run("npm", ["run", "build", "-w", "@ticketing/web"]);
  }
  log(`web: first-load JS and LCP of the event page, median of ${LOADS} fresh loads in Chromium`);
  try {
    await run(process.execPath, ["--import", "tsx", "apps/web/scripts/measure-event-page.ts"], {
      env: { LOADS: String(LOADS) },
    });
    return JSON.parse(readFileSync(join(web, "test-results", "event-page-measurements.json"), "utf8"));
  } catch (error) {
    return { skipped: `failed: ${String(error.message).split("\n").slice(0, 3).join(" ")}` };
  }
}

// ---------------------------------------------------------------- (e2) Lighthouse
const LIGHTHOUSE_RUNS = 3;

/** Lighthouse (mobile and desktop presets) over home, event, checkout and my bookings; the median of 3 runs each. */
async function lighthouse() {
  const web = join(root, "apps", "web");
  if (!existsSync(join(web, ".next", "BUILD_ID"))) {
    log("web: building the production app (next build)");
    await run("npm", ["run", "build", "-w", "@ticketing/web"]);
  }
  log(`lighthouse: 4 pages × mobile and desktop presets × ${LIGHTHOUSE_RUNS} runs`);
  try {
    await run(process.execPath, ["--import", "tsx", "apps/web/scripts/lighthouse.ts"], {
      env: { RUNS: String(LIGHTHOUSE_RUNS) },
    });
    return JSON.parse(readFileSync(join(web, "test-results", "lighthouse.json"), "utf8"));
  } catch (error) {
    return { skipped: `failed: ${String(error.message).split("\n").slice(0, 3).join(" ")}` };
  }
}

/** The rows of the web figures: the event page's JavaScript and LCP, then Lighthouse per page and preset. */
function webRows(w, lh) {
  const rows = [];
  if (w.skipped) {
    rows.push(["event page first-load JS (gzip)", w.skipped, "≤ 150 kB", "not run"]);
    rows.push(["event page LCP median (Chromium, localhost, desktop viewport)", w.skipped, "≤ 500 ms", "not run"]);
  } else {
    rows.push([
      "event page first-load JS (gzip)",
      `${fmt(w.firstLoadJs.gzipKB, 1)} kB in ${w.firstLoadJs.scripts} scripts`,
      "≤ 150 kB",
      verdict(w.firstLoadJs.gzipKB <= 150),
    ]);
    rows.push([
      "event page LCP median (Chromium, localhost, desktop viewport)",
      `${fmt(w.lcp.medianMs)} ms over ${w.loads} loads (min ${fmt(w.lcp.minMs)}, max ${fmt(w.lcp.maxMs)}); data in first HTML: ${w.contentInFirstHtml ? "yes" : "no"}`,
      "≤ 500 ms, no fallback first",
      verdict(w.lcp.medianMs <= 500 && w.contentInFirstHtml),
    ]);
  }
  if (lh.skipped) {
    rows.push([
      "Lighthouse, mobile and desktop presets",
      lh.skipped,
      "mobile ≥ 95, LCP ≤ 2.0 s, TBT ≤ 150 ms",
      "not run",
    ]);
    return rows;
  }
  for (const result of lh.results) {
    const m = result.median;
    const runs = result.runs.map((r) => r.performance).join(", ");
    const measured = `performance ${m.performance} (runs ${runs}), LCP ${fmt(m.lcpMs)} ms, TBT ${fmt(m.tbtMs)} ms, CLS ${m.cls}; accessibility ${m.accessibility}, best practices ${m.bestPractices}, SEO ${m.seo}`;
    if (result.preset === "mobile") {
      rows.push([
        `Lighthouse mobile: ${result.page} (${result.path.replace(/[0-9a-f-]{36}/, "<id>")}), median of ${result.runs.length}`,
        measured,
        "≥ 95, LCP ≤ 2.0 s, TBT ≤ 150 ms; accessibility 100",
        verdict(m.performance >= 95 && m.lcpMs <= 2000 && m.tbtMs <= 150 && m.accessibility === 100),
      ]);
    } else {
      rows.push([
        `Lighthouse desktop: ${result.page}, median of ${result.runs.length}`,
        measured,
        "accessibility 100",
        verdict(m.accessibility === 100),
      ]);
    }
  }
  return rows;
}

const tableOf = (rows) =>
  ["| figure | measured | goal | |", "|---|---|---|---|", ...rows.map((cells) => `| ${cells.join(" | ")} |`)].join(
    "\n",
  );

// ---------------------------------------------------------------- (f) soak
async function soak(peakRps, path) {
  const rate = Math.max(100, Math.round(peakRps * 0.7));
  log(`soak: ${SOAK_WINDOWS} × ${SOAK_WINDOW_SECONDS} s of getEvent at ${rate} req/s (70% of ${peakRps})`);
  const server = await startServer("product");
  await load(`${server.url}${path}`, { seconds: WARMUP, warmup: false, rate });
  const windows = [];
  const rssStart = rssMb(server.pid);
  for (let i = 0; i < SOAK_WINDOWS; i++) {
    const result = await load(`${server.url}${path}`, { seconds: SOAK_WINDOW_SECONDS, warmup: false, rate });
    windows.push({ at: (i + 1) * SOAK_WINDOW_SECONDS, ...result, rssMb: rssMb(server.pid) });
  }
  await server.stop();
  const rssEnd = windows.at(-1)?.rssMb ?? rssStart;
  return {
    rate,
    windows,
    rssStartMb: rssStart,
    rssEndMb: rssEnd,
    rssGrowthMb: Math.round((rssEnd - rssStart) * 10) / 10,
  };
}

// ---------------------------------------------------------------- report
const pct = (a, b) => (b > 0 ? (100 * a) / b : 0);
const fmt = (n, digits = 0) =>
  typeof n === "number" && Number.isFinite(n)
    ? n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits })
    : "—";
const verdict = (ok) => (ok === null ? "not run" : ok ? "met" : "not met");

/** The two tracing figures, each with what "off" means in it, and the conditions of the run. */
function tracingRows(t) {
  const offShare = pct(t.off.rps, t.withoutTracingRps);
  const c = t.conditions;
  const x = t.exported;
  const kib = (bytes) => fmt(Math.round(bytes / 1024));
  return [
    [
      `getEvent, tracing on (SDK started, every call sampled: ${c.sampler}; ${c.protocol} over HTTP to a sink on loopback that keeps the bytes and decodes them after the load) vs endpoint unset; median of ${c.pairs} alternating pairs, ${c.connections} connections, ${c.seconds} s each after ${c.warmupSeconds} s warm-up; load average ${c.loadBefore} before, ${c.loadAfter} after; commit ${c.commit}`,
      [
        `${fmt(t.onShare, 1)}% (pairs: ${t.pairShares.map((share) => `${fmt(share, 1)}%`).join(", ")}; best ${fmt(t.on.rps)} vs ${fmt(t.off.rps)} req/s)`,
        `server CPU per request ${fmt(t.cpuUsPerRequest.on)} vs ${fmt(t.cpuUsPerRequest.off)} µs (off/on ${fmt(t.cpuUsPerRequest.offOverOn, 1)}%)`,
        `${fmt(x.spans)} spans received for ${fmt(t.calls)} traced calls (${fmt(t.spansPerCall, 2)} per call, ${fmt(t.callsWithoutSpan)} calls without their span), events ${
          Object.entries(x.eventsByName)
            .map(([name, n]) => `${name} ×${fmt(n)}`)
            .join(", ") || "none"
        }`,
        `${fmt(x.exports)} exports, ${kib(x.bytes)} KiB (${fmt(x.spans > 0 ? x.bytes / x.spans : 0)} B per span); sink CPU ${fmt(x.receiveCpuMs)} ms receiving over ${fmt(c.roundsSeconds)} s of rounds (${fmt(x.receiveCpuMs / (10 * c.roundsSeconds), 1)}% of a core), ${fmt(x.decodeCpuMs)} ms decoding afterwards`,
        `BSP ${Object.entries(c.bsp)
          .map(([name, value]) => `${name}=${value}`)
          .join(", ")}`,
      ].join("; "),
      "≥ 85%",
      verdict(t.onShare >= 85),
    ],
    [
      "getEvent, endpoint unset vs no tracing calls at all (estimated: the unset server's time per request less the no-SDK tracing calls' cost measured in process)",
      `${fmt(t.off.rps)} vs ~${fmt(t.withoutTracingRps)} req/s = ${fmt(offShare, 1)}% (${fmt(t.hookNsPerCall)} ns per call)`,
      "≥ 98%",
      verdict(offShare >= 98),
    ],
  ];
}

function table(r) {
  const rows = [];
  const g = r.throughput.getEvent;
  const ofBare = pct(g.product.rps, g.bare.rps);
  const overStandalone = g.standalone.rps > 0 ? g.product.rps / g.standalone.rps : 0;
  rows.push([
    "getEvent through the server vs bare node:http (same bytes)",
    `${fmt(g.product.rps)} vs ${fmt(g.bare.rps)} req/s = ${fmt(ofBare, 1)}%`,
    "≥ 35%",
    verdict(ofBare >= 35),
  ]);
  rows.push([
    "getEvent through the server vs tRPC standalone adapter (same router, context)",
    `${fmt(g.product.rps)} vs ${fmt(g.standalone.rps)} req/s = ${fmt(overStandalone, 2)}×`,
    "≥ 3×",
    verdict(overStandalone >= 3),
  ]);
  rows.push([
    `getEvent p99 at ${CONNECTIONS} connections`,
    `${fmt(g.product.p99)} ms (p50 ${fmt(g.product.p50)} ms)`,
    "≤ 10 ms",
    verdict(g.product.p99 <= 10),
  ]);
  const b = r.throughput.batch;
  const batchRatio = b.unbatchedCallsPerSecond > 0 ? b.batchedCallsPerSecond / b.unbatchedCallsPerSecond : 0;
  rows.push([
    "batch of 10 queries vs the same 10 unbatched (calls/s)",
    `${fmt(b.batchedCallsPerSecond)} vs ${fmt(b.unbatchedCallsPerSecond)} calls/s = ${fmt(batchRatio, 2)}×`,
    "≥ 5×",
    verdict(batchRatio >= 5),
  ]);
  const c = r.bookings;
  if (c.skipped) {
    rows.push(["createBooking full stack vs raw SQL (PostgreSQL)", c.skipped, "≥ 60%", "not run"]);
  } else {
    const share = pct(c.full.perSecond, c.raw.perSecond);
    rows.push([
      `createBooking full stack vs raw SQL seat claim, ${BOOKING_CLIENTS} clients, PostgreSQL`,
      `${fmt(c.full.perSecond)} vs ${fmt(c.raw.perSecond)} bookings/s = ${fmt(share, 1)}%`,
      "≥ 60%",
      verdict(share >= 60),
    ]);
    const clean = c.full.oversold + c.full.duplicated + c.raw.oversold + c.raw.duplicated === 0;
    rows.push([
      "oversold / duplicated seats after both runs",
      `full stack ${c.full.oversold} / ${c.full.duplicated} (${c.full.replays} keyed replays); raw ${c.raw.oversold} / ${c.raw.duplicated}`,
      "0 / 0",
      verdict(clean),
    ]);
  }
  rows.push(...postgresRows(r.postgres));
  const t = r.typecheck;
  if (t.skipped) rows.push(["type-check with 1,000 extra procedures vs without", t.skipped, "≤ 1.5×", "not run"]);
  else {
    // CPU seconds, not wall time: on a shared machine the wall clock measures the neighbours.
    rows.push([
      `type-check CPU time with ${fmt(t.procedures)} extra procedures vs without`,
      t.cpuRatio === null || t.cpuRatio === undefined
        ? "no CPU figure (GNU time missing)"
        : `${fmt(t.scaled.cpuSeconds, 1)} s vs ${fmt(t.baseline.cpuSeconds, 1)} s = ${fmt(t.cpuRatio, 2)}× (wall ${fmt(t.ratio, 2)}×, load ${fmt(t.loadAverage, 1)})`,
      "≤ 1.5×",
      verdict(typeof t.cpuRatio === "number" && t.cpuRatio <= 1.5),
    ]);
    rows.push([
      `type-check peak memory with ${fmt(t.procedures)} extra procedures vs without`,
      `${fmt(t.scaled.maxRssMb)} MB vs ${fmt(t.baseline.maxRssMb)} MB = ${fmt(t.rssRatio, 2)}×`,
      "≤ 1.5×",
      verdict(t.rssRatio <= 1.5),
    ]);
    const c = t.completion ?? {};
    for (const [app, proxy] of [
      ["worker", "api."],
      ["web", "trpc."],
    ]) {
      const scaled = c[`${app}.scaled`];
      const asIs = c[`${app}.asIs`];
      if (!scaled || !asIs) {
        rows.push([
          `editor completion on \`${proxy}\` in apps/${app}, +1,000 procedures`,
          c.skipped ?? "not run",
          "≤ 5 s cold, ≤ 1 s warm",
          "not run",
        ]);
        continue;
      }
      rows.push([
        `editor completion on \`${proxy}\` in apps/${app} (TypeScript 7 language server), +${fmt(t.procedures)} procedures vs as is`,
        `${fmt(scaled.members)} members: cold ${fmt(scaled.coldMs)} ms, warm median ${fmt(scaled.warmMedianMs)} ms (max ${fmt(scaled.warmMaxMs)}); as is ${fmt(asIs.members)} members: cold ${fmt(asIs.coldMs)} ms, warm ${fmt(asIs.warmMedianMs)} ms`,
        "≤ 5 s cold, ≤ 1 s warm",
        verdict(scaled.coldMs <= 5000 && scaled.warmMedianMs <= 1000),
      ]);
    }
  }
  rows.push(...webRows(r.web, r.lighthouse));
  rows.push(...tracingRows(r.tracing));
  const s = r.soak;
  const p99s = s.windows.map((x) => x.p99);
  rows.push([
    `soak: getEvent at ${fmt(s.rate)} req/s (70% of peak) for ${SOAK_WINDOWS * SOAK_WINDOW_SECONDS} s`,
    `p99 per window ${fmt(Math.min(...p99s))}–${fmt(Math.max(...p99s))} ms; RSS ${fmt(s.rssStartMb, 1)} → ${fmt(s.rssEndMb, 1)} MB (${s.rssGrowthMb >= 0 ? "+" : ""}${fmt(s.rssGrowthMb, 1)} MB); non-2xx ${s.windows.reduce((n, x) => n + x.non2xx, 0)}`,
    "report",
    "—",
  ]);
  return [
    "| figure (docs/goals.md) | measured | goal | |",
    "|---|---|---|---|",
    ...rows.map((cells) => `| ${cells.join(" | ")} |`),
  ].join("\n");
}

/** The production path's figures (docs/decisions/016), goals beside them. */
function postgresRows(p) {
  if (!p || p.skipped) {
    return [
      [
        "getEvent on PostgreSQL (cache on / off) and cross-instance staleness",
        p?.skipped ?? "not run",
        "see 016",
        "not run",
      ],
    ];
  }
  const rows = [];
  const { small, arena } = p.reads;
  for (const [label, x] of [
    [`${fmt(small.seats)}-seat event`, small],
    [`${fmt(arena.seats)}-seat arena`, arena],
  ]) {
    const share = pct(x.cached.rps, x.bare.rps);
    rows.push([
      `getEvent on PostgreSQL, one instance, cache on, ${label}, vs bare node:http (same bytes)`,
      `${fmt(x.cached.rps)} vs ${fmt(x.bare.rps)} req/s = ${fmt(share, 1)}%; p99 ${fmt(x.cached.p99)} ms`,
      "≥ 15%, p99 ≤ 10 ms",
      verdict(share >= 15 && x.cached.p99 <= 10),
    ]);
  }
  const sizeRatio = small.cached.rps > 0 ? arena.cached.rps / small.cached.rps : 0;
  rows.push([
    "getEvent on PostgreSQL with the cache: arena vs 208-seat event",
    `${fmt(arena.cached.rps)} vs ${fmt(small.cached.rps)} req/s = ${fmt(100 * sizeRatio, 1)}%`,
    "≥ 90%",
    verdict(sizeRatio >= 0.9),
  ]);
  rows.push([
    `getEvent on PostgreSQL, cache off (counts alone), ${fmt(small.seats)}-seat event`,
    `${fmt(small.uncached.rps)} req/s (${fmt(pct(small.uncached.rps, small.bare.rps), 1)}% of bare ${fmt(small.bare.rps)}); p99 ${fmt(small.uncached.p99)} ms`,
    "report",
    "—",
  ]);
  rows.push([
    `getEvent on PostgreSQL, cache off (counts alone), ${fmt(arena.seats)}-seat arena`,
    `${fmt(arena.uncached.rps)} req/s (${fmt(pct(arena.uncached.rps, arena.bare.rps), 1)}% of bare ${fmt(arena.bare.rps)}); p99 ${fmt(arena.uncached.p99)} ms`,
    "≥ 1,500 req/s",
    verdict(arena.uncached.rps >= 1500),
  ]);
  const s = p.staleness;
  rows.push([
    `cross-instance staleness: booking on A until B's getEvent shows it, ${s.bookings} bookings`,
    `p50 ${fmt(s.p50Ms, 1)} ms, p99 ${fmt(s.p99Ms, 1)} ms, max ${fmt(s.maxMs, 1)} ms; not shown within 5 s: ${s.timedOut}`,
    "p99 ≤ 100 ms",
    verdict(s.timedOut === 0 && s.p99Ms <= 100),
  ]);
  return rows;
}

function details(r) {
  const g = r.throughput.getEvent;
  const line = (name, x) =>
    `| ${name} | ${fmt(x.rps)} | ${fmt(x.p50)} ms | ${fmt(x.p99)} ms | ${x.non2xx} | ${x.errors} |`;
  const parts = [
    `### getEvent, ${CONNECTIONS} connections, ${SECONDS} s after ${WARMUP} s of warm-up (autocannon in its own process); the better of two rounds run in opposite orders`,
    "",
    `Requests/s per round: ${Object.entries(r.throughput.rounds)
      .map(([name, list]) => `${name} ${list.map((n) => fmt(n)).join(" / ")}`)
      .join(
        "; ",
      )} (batched: requests of 10 getEvent calls over the seeded events; unbatched: the same 10 calls in turn).`,
    "",
    "| host | req/s | p50 | p99 | non-2xx | errors |",
    "|---|---:|---:|---:|---:|---:|",
    line("bare node:http, same bytes", g.bare),
    line("product server: direct path, getEvent cache (PGlite)", g.product),
    line("product server through tRPC's fetch adapter (RPC_DIRECT_PATH=false)", g.fetchAdapter),
    line("tRPC standalone adapter, same router and context factory (with the cache)", g.standalone),
    "",
  ];
  if (!r.bookings.skipped) {
    const { raw, full } = r.bookings;
    parts.push(
      `### createBooking, ${BOOKING_CLIENTS} concurrent clients, one seat each, pool of 20 connections; ${BOOKING_ROUNDS} alternating rounds of ${BOOKING_SECONDS} s per side after ${WARMUP} s of warm-up each (bookings/s per round: raw ${r.bookings.rounds.raw.join(", ")}; full stack ${r.bookings.rounds.full.join(", ")})`,
      "",
      "| path | bookings/s | p50 | p99 | failed | oversold | duplicated |",
      "|---|---:|---:|---:|---|---:|---:|",
      `| raw SQL (pg pool, the domain's statements in one transaction) | ${fmt(raw.perSecond)} | ${fmt(raw.p50Ms)} ms | ${fmt(raw.p99Ms)} ms | ${JSON.stringify(raw.failed)} | ${raw.oversold} | ${raw.duplicated} |`,
      `| full stack (HTTP, Bearer session, Idempotency-Key, transaction) | ${fmt(full.perSecond)} | ${fmt(full.p50Ms)} ms | ${fmt(full.p99Ms)} ms | ${JSON.stringify(full.failed)} | ${full.oversold} | ${full.duplicated} |`,
      "",
    );
  }
  if (r.postgres && !r.postgres.skipped) {
    const p = r.postgres;
    parts.push(
      `### getEvent on PostgreSQL (demo seed), ${CONNECTIONS} connections, ${SECONDS} s after ${WARMUP} s of warm-up; the better of two rounds run in opposite orders`,
      "",
      `Requests/s per round: ${Object.entries(p.rounds)
        .map(([key, list]) => `${key} ${list.map((n) => fmt(n)).join(" / ")}`)
        .join("; ")}.`,
      "",
      "| event | host | req/s | p50 | p99 | non-2xx | errors |",
      "|---|---|---:|---:|---:|---:|---:|",
      ...Object.values(p.reads).flatMap((x) => [
        `| ${fmt(x.seats)} seats | bare node:http, same bytes | ${fmt(x.bare.rps)} | ${fmt(x.bare.p50)} ms | ${fmt(x.bare.p99)} ms | ${x.bare.non2xx} | ${x.bare.errors} |`,
        `| ${fmt(x.seats)} seats | product server, event cache | ${fmt(x.cached.rps)} | ${fmt(x.cached.p50)} ms | ${fmt(x.cached.p99)} ms | ${x.cached.non2xx} | ${x.cached.errors} |`,
        `| ${fmt(x.seats)} seats | product server, EVENT_CACHE=false | ${fmt(x.uncached.rps)} | ${fmt(x.uncached.p50)} ms | ${fmt(x.uncached.p99)} ms | ${x.uncached.non2xx} | ${x.uncached.errors} |`,
      ]),
      "",
      `Staleness: ${p.staleness.bookings} bookings of one arena seat on instance A, one at a time; for each, instance B's getEvent (cached before the booking) is read in a loop from A's answer until it shows the hold (each read is a loopback round trip, so the figure includes one).`,
      "",
    );
  }
  parts.push(
    `### soak, ${SOAK_WINDOW_SECONDS} s windows`,
    "",
    "| t | req/s | p50 | p99 | non-2xx | server RSS |",
    "|---:|---:|---:|---:|---:|---:|",
    ...r.soak.windows.map(
      (x) =>
        `| ${x.at} s | ${fmt(x.rps)} | ${fmt(x.p50)} ms | ${fmt(x.p99)} ms | ${x.non2xx} | ${fmt(x.rssMb, 1)} MB |`,
    ),
  );
  return parts.join("\n");
}

function svg(r) {
  const g = r.throughput.getEvent;
  const bars = [
    ["bare node:http", g.bare.rps],
    ["product (direct path)", g.product.rps],
    ["fetch adapter", g.fetchAdapter.rps],
    ["tRPC standalone", g.standalone.rps],
  ];
  if (r.postgres && !r.postgres.skipped) {
    const { small, arena } = r.postgres.reads;
    bars.push(
      ["PG bare, 208 seats", small.bare.rps],
      ["PG cache, 208 seats", small.cached.rps],
      ["PG no cache, 208 seats", small.uncached.rps],
      ["PG bare, arena", arena.bare.rps],
      ["PG cache, arena", arena.cached.rps],
      ["PG no cache, arena", arena.uncached.rps],
    );
  }
  if (!r.bookings.skipped) {
    bars.push(["raw SQL bookings/s", r.bookings.raw.perSecond], ["full-stack bookings/s", r.bookings.full.perSecond]);
  }
  const max = Math.max(...bars.map(([, v]) => v), 1);
  const W = 760;
  const barArea = 440;
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${110 + bars.length * 28 + 260}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="10" y="22" font-size="15" font-weight="bold">Throughput (getEvent req/s at ${CONNECTIONS} connections; createBooking bookings/s)</text>`,
    ...(r.postgres && !r.postgres.skipped
      ? [
          `<text x="${W - 10}" y="22" text-anchor="end">PG staleness p50 ${fmt(r.postgres.staleness.p50Ms, 1)} ms, p99 ${fmt(r.postgres.staleness.p99Ms, 1)} ms</text>`,
        ]
      : []),
  ];
  bars.forEach(([label, value], i) => {
    const y = 40 + i * 28;
    const w = Math.max(1, (value / max) * barArea);
    out.push(
      `<text x="10" y="${y + 15}">${label}</text>`,
      `<rect x="180" y="${y}" width="${w.toFixed(1)}" height="20" fill="${label.includes("bookings") ? "#c0762b" : label.startsWith("PG") ? "#2b8a6e" : "#3b6fb6"}"/>`,
      `<text x="${(186 + w).toFixed(1)}" y="${y + 15}">${fmt(value)}</text>`,
    );
  });
  const top = 60 + bars.length * 28 + 20;
  const h = 180;
  const left = 60;
  const width = W - left - 30;
  const windows = r.soak.windows;
  const maxLatency = Math.max(1, ...windows.map((x) => x.p99)) * 1.15;
  const x = (i) => left + (windows.length <= 1 ? width / 2 : (i / (windows.length - 1)) * width);
  const y = (v) => top + 20 + h - (v / maxLatency) * h;
  out.push(
    `<text x="10" y="${top}" font-size="15" font-weight="bold">Soak: getEvent at ${fmt(r.soak.rate)} req/s, latency per ${SOAK_WINDOW_SECONDS} s window (RSS ${fmt(r.soak.rssStartMb, 1)} → ${fmt(r.soak.rssEndMb, 1)} MB)</text>`,
    `<line x1="${left}" y1="${top + 20}" x2="${left}" y2="${top + 20 + h}" stroke="#999"/>`,
    `<line x1="${left}" y1="${top + 20 + h}" x2="${left + width}" y2="${top + 20 + h}" stroke="#999"/>`,
    `<text x="${left - 6}" y="${top + 24}" text-anchor="end">${fmt(maxLatency, 1)} ms</text>`,
    `<text x="${left - 6}" y="${top + 20 + h}" text-anchor="end">0</text>`,
  );
  for (const [key, color] of [
    ["p99", "#c0392b"],
    ["p50", "#27ae60"],
  ]) {
    const points = windows.map((w, i) => `${x(i).toFixed(1)},${y(w[key]).toFixed(1)}`).join(" ");
    out.push(`<polyline points="${points}" fill="none" stroke="${color}" stroke-width="2"/>`);
    for (const [i, w] of windows.entries()) {
      out.push(`<circle cx="${x(i).toFixed(1)}" cy="${y(w[key]).toFixed(1)}" r="3" fill="${color}"/>`);
    }
  }
  for (const [i, w] of windows.entries()) {
    out.push(`<text x="${x(i).toFixed(1)}" y="${top + 36 + h}" text-anchor="middle">${w.at}s</text>`);
  }
  out.push(
    `<text x="${left + width - 120}" y="${top + 34}" fill="#c0392b">p99</text>`,
    `<text x="${left + width - 80}" y="${top + 34}" fill="#27ae60">p50</text>`,
    "</svg>",
  );
  return `${out.join("\n")}\n`;
}

async function commitOf() {
  try {
    return (await run("git", ["rev-parse", "--short", "HEAD"])).trim();
  } catch {
    return "unknown";
  }
}

async function main() {
  // Only the createBooking comparison, printed and not recorded: for working on that figure.
  if (process.env.BENCH_ONLY === "bookings") {
    console.log(JSON.stringify(await bookings(), null, 2));
    return;
  }
  // Only the web figures: for working on the web app (the full run records them too).
  if (process.env.BENCH_ONLY === "web") {
    const loadBefore = loadavg()
      .map((v) => v.toFixed(2))
      .join(" ");
    const results = {
      date: new Date().toISOString(),
      commit: await commitOf(),
      web: await webPage(),
      lighthouse: await lighthouse(),
    };
    const summary = tableOf(webRows(results.web, results.lighthouse));
    const md = [
      "# Web figures (`BENCH_ONLY=web npm run bench`)",
      "",
      `${results.date}, commit ${results.commit}; load average ${loadBefore} before, ${loadavg()
        .map((v) => v.toFixed(2))
        .join(" ")} after`,
      "(the machine is shared: Lighthouse simulates a slow phone from what it observes, so a busy machine lowers every score).",
      "",
      summary,
      "",
    ].join("\n");
    mkdirSync(resultsDir, { recursive: true });
    writeFileSync(join(resultsDir, "web.md"), md);
    writeFileSync(join(resultsDir, "web.json"), `${JSON.stringify(results, null, 2)}\n`);
    console.log(summary);
    return;
  }
  if (process.env.BENCH_ONLY === "postgres") {
    const result = await postgresReads();
    console.log(JSON.stringify(result, null, 2));
    console.log(
      postgresRows(result)
        .map((cells) => `| ${cells.join(" | ")} |`)
        .join("\n"),
    );
    return;
  }
  if (process.env.BENCH_ONLY === "tracing") {
    const result = await tracingCost();
    console.log(JSON.stringify(result, null, 2));
    console.log(
      tracingRows(result)
        .map((cells) => `| ${cells.join(" | ")} |`)
        .join("\n"),
    );
    return;
  }
  const machine = {
    cpus: `${cpus().length} × ${cpus()[0]?.model ?? "?"}`,
    memoryGb: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    loadBefore: loadavg()
      .map((v) => v.toFixed(2))
      .join(" "),
  };
  const throughputResult = await throughput();
  const bookingResult = await bookings();
  const postgresResult = await postgresReads();
  const typecheck = await typecheckScale();
  const web = await webPage();
  const lighthouseResult = await lighthouse();
  const tracingResult = await tracingCost();
  const soakResult = await soak(throughputResult.getEvent.product.rps, throughputResult.path);
  const results = {
    date: new Date().toISOString(),
    commit: await commitOf(),
    quick: QUICK,
    machine: {
      ...machine,
      loadAfter: loadavg()
        .map((v) => v.toFixed(2))
        .join(" "),
    },
    throughput: throughputResult,
    bookings: bookingResult,
    postgres: postgresResult,
    typecheck,
    web,
    lighthouse: lighthouseResult,
    soak: soakResult,
    tracing: tracingResult,
    durationSeconds: Math.round((Date.now() - started) / 1000),
  };
  const summaryTable = table(results);
  const md = [
    "# Benchmarks (goals: docs/goals.md)",
    "",
    `Command: \`${QUICK ? "BENCH_QUICK=1 " : ""}npm run bench\` — ${results.date}, commit ${results.commit}, ${results.durationSeconds} s.`,
    `Machine: ${machine.cpus}, ${machine.memoryGb} GB, Node ${machine.node}; load average ${machine.loadBefore} before, ${results.machine.loadAfter} after`,
    "(the machine is shared: absolute figures are noisy, the side-by-side ratios less so).",
    "",
    summaryTable,
    "",
    "![throughput and soak latency](latest.svg)",
    "",
    details(results),
    "",
  ].join("\n");
  mkdirSync(resultsDir, { recursive: true });
  writeFileSync(join(resultsDir, "latest.md"), md);
  writeFileSync(join(resultsDir, "latest.svg"), svg(results));
  writeFileSync(join(resultsDir, "latest.json"), `${JSON.stringify(results, null, 2)}\n`);
  console.log(summaryTable);
  log(`wrote bench/results/latest.md, latest.svg, latest.json in ${results.durationSeconds} s`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
