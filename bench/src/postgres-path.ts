// The production path for scripts/bench.mjs: event reads on PostgreSQL, and how long another
// instance takes to show a booking (docs/decisions/016). Each subcommand prints one JSON line.
//   setup                                  scratch PostgreSQL, migrated and seeded: its url,
//                                          the 208-seat event and the arena's event
//   staleness <a> <b> <event> <n>          n bookings on instance a, one at a time; for each,
//                                          the time from a's answer until b's getEvent shows it
//   drop <url>                             drops the scratch database
import http from "node:http";
import { DEMO_PASSWORD, eventId, migrateDatabase, openDatabase, seedDemo } from "@ticketing/db";
import { createScratchPostgres, dropScratchPostgres } from "@ticketing/db/testing";
import pg from "pg";

async function setup() {
  const scratch = await createScratchPostgres();
  const handle = await openDatabase(scratch.url, { poolSize: 4 });
  await migrateDatabase(handle);
  await seedDemo(handle.db);
  await handle.close();
  const client = new pg.Client({ connectionString: scratch.url });
  await client.connect();
  try {
    await client.query("ANALYZE");
    const seats = async (id: string) =>
      (await client.query("SELECT count(*)::int AS n FROM event_seats WHERE event_id = $1", [id])).rows[0].n as number;
    const small = eventId("lena-park");
    const arena = eventId("city-lights");
    console.log(
      JSON.stringify({
        url: scratch.url,
        small: { id: small, seats: await seats(small) },
        arena: { id: arena, seats: await seats(arena) },
      }),
    );
  } finally {
    await client.end();
  }
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });

function request(url: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}) {
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = http.request(url, { agent, method: init.method ?? "GET", headers: init.headers }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk) => {
        body += chunk;
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", reject);
    req.end(init.body);
  });
}

async function call(base: string, path: string, input: unknown, token?: string) {
  const { status, body } = await request(`${base}/trpc/${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token && { authorization: `Bearer ${token}` }) },
    body: JSON.stringify({ json: input }),
  });
  if (status !== 200) throw new Error(`${path} answered ${status}: ${body.slice(0, 300)}`);
  return (JSON.parse(body) as { result: { data: { json: Record<string, unknown> } } }).result.data.json;
}

async function heldOn(base: string, event: string): Promise<number> {
  const input = encodeURIComponent(JSON.stringify({ json: { eventId: event } }));
  const { status, body } = await request(`${base}/trpc/getEvent?input=${input}`);
  if (status !== 200) throw new Error(`getEvent answered ${status}`);
  return (JSON.parse(body) as { result: { data: { json: { counts: { held: number } } } } }).result.data.json.counts
    .held;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

async function staleness(a: string, b: string, event: string, bookings: number) {
  const token = (await call(a, "signIn", { email: "bob@example.com", password: DEMO_PASSWORD })).token as string;
  const samples: number[] = [];
  let timedOut = 0;
  for (let i = 0; i < bookings; i++) {
    // B has the event in its cache (the second read is served from it) before the booking.
    const before = await heldOn(b, event);
    await heldOn(b, event);
    await call(a, "createBooking", { eventId: event, quantity: 1 }, token);
    const acknowledged = performance.now();
    let shown = false;
    while (performance.now() - acknowledged < 5_000) {
      if ((await heldOn(b, event)) > before) {
        shown = true;
        break;
      }
    }
    if (shown) samples.push(performance.now() - acknowledged);
    else timedOut++;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  const sorted = [...samples].sort((x, y) => x - y);
  console.log(
    JSON.stringify({
      bookings,
      shown: samples.length,
      timedOut,
      p50Ms: Number(percentile(sorted, 50).toFixed(1)),
      p99Ms: Number(percentile(sorted, 99).toFixed(1)),
      maxMs: Number((sorted.at(-1) ?? 0).toFixed(1)),
    }),
  );
  agent.destroy();
}

async function drop(url: string) {
  console.log(JSON.stringify({ dropped: await dropScratchPostgres(url) }));
}

const [command, ...args] = process.argv.slice(2);
if (command === "setup") await setup();
else if (command === "staleness") await staleness(args[0] ?? "", args[1] ?? "", args[2] ?? "", Number(args[3] ?? 50));
else if (command === "drop") await drop(args[0] ?? "");
else throw new Error(`unknown command ${command}`);
