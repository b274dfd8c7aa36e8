// createBooking under load for scripts/bench.mjs (docs/goals.md): the full stack over HTTP
// against a raw SQL seat claim with the domain's statements, on one scratch PostgreSQL.
// Each subcommand prints one JSON line.
//   setup                           scratch database, demo seed, events for each side, accounts with sessions
//   raw  <url> <events> <s> <n>     n clients claiming one seat each, in one transaction, for s seconds
//   http <api> <events> <s> <n>     n clients calling createBooking (Bearer, Idempotency-Key), for s seconds
//   check <url> <events>            oversold seats and the bookings that exist after a run
//   claim-cost <url> <events> <n>   n claims one after another on one connection, in alternating
//                                   rounds with event_seats' own triggers (the seat counts) enabled
//                                   and disabled: the database's cost of a claim, and the counts' share
// (<events>: comma-separated ids; client i books event i mod their number)
//   drop <url>                     drops the scratch database
import { createHash, randomBytes, randomUUID } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import http from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { migrateDatabase, NO_PASSWORD, openDatabase, seedDemo, userId } from "@ticketing/db";
import { createScratchPostgres, dropScratchPostgres } from "@ticketing/db/testing";
import pg from "pg";

// Several mid-size events per side, as in an on-sale rush across a tour: the claim sorts an
// event's open seats by price and position, so one giant event would measure that sort.
const SEATS_PER_EVENT = Number(process.env.BENCH_SEATS ?? 3_000);
const EVENTS_PER_SIDE = Number(process.env.BENCH_EVENTS ?? 20);
const CLIENTS = 200;
const POOL_SIZE = Number(process.env.BENCH_POOL ?? 20);
const HOLD_MINUTES = 10;

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

function summary(latencies: number[], ok: number, failed: Record<string, number>, seconds: number) {
  const sorted = [...latencies].sort((a, b) => a - b);
  return {
    bookings: ok,
    perSecond: Math.round(ok / seconds),
    p50Ms: Number(percentile(sorted, 50).toFixed(1)),
    p99Ms: Number(percentile(sorted, 99).toFixed(1)),
    failed,
  };
}

async function setup() {
  const scratch = await createScratchPostgres();
  const handle = await openDatabase(scratch.url, { poolSize: 4 });
  await migrateDatabase(handle);
  await seedDemo(handle.db);
  await handle.close();
  const client = new pg.Client({ connectionString: scratch.url });
  await client.connect();
  try {
    const organizer = userId("olivia@example.com");
    const venue = randomUUID();
    await client.query("INSERT INTO venues (id, name, city, time_zone) VALUES ($1, $2, 'Benchtown', 'UTC')", [
      venue,
      `Bench ${venue}`,
    ]);
    await client.query(
      `INSERT INTO venue_tiers (venue_id, tier, name, price_cents) VALUES
         ($1, 'premium', 'Premium', 12900), ($1, 'standard', 'Standard', 6900)`,
      [venue],
    );
    // Sections of 1,000 seats: 40 rows of 25; the first tenth premium.
    await client.query(
      `INSERT INTO venue_seats (venue_id, section, row, number, tier)
       SELECT $1, 'S' || lpad((i / 1000)::text, 3, '0'), ((i % 1000) / 25 + 1)::text, i % 25 + 1,
              CASE WHEN i < $2 / 10 THEN 'premium' ELSE 'standard' END
       FROM generate_series(0, $2 - 1) AS i`,
      [venue, SEATS_PER_EVENT],
    );
    const events: Record<string, string[]> = { raw: [], http: [] };
    for (let n = 0; n < EVENTS_PER_SIDE * 2; n++) {
      const side = n % 2 === 0 ? "raw" : "http";
      const id = randomUUID();
      await client.query(
        `INSERT INTO events (id, name, venue_id, starts_at, status, organizer_id)
         VALUES ($1, $2, $3, now() + interval '30 days', 'on_sale', $4)`,
        [id, `Bench ${side} ${n}`, venue, organizer],
      );
      await client.query(
        "INSERT INTO event_tiers (event_id, tier, name, price_cents) SELECT $1, tier, name, price_cents FROM venue_tiers WHERE venue_id = $2",
        [id, venue],
      );
      await client.query(
        "INSERT INTO event_seats (event_id, seat_id) SELECT $1, id FROM venue_seats WHERE venue_id = $2",
        [id, venue],
      );
      events[side]?.push(id);
    }
    const tokens: string[] = [];
    const users: string[] = [];
    for (let i = 0; i < CLIENTS; i++) {
      const id = randomUUID();
      const token = randomBytes(24).toString("base64url");
      await client.query("INSERT INTO users (id, email, name, password_hash) VALUES ($1, $2, $3, $4)", [
        id,
        `buyer${i}@bench.example`,
        `Buyer ${i}`,
        NO_PASSWORD,
      ]);
      await client.query(
        "INSERT INTO sessions (token_hash, user_id, expires_at) VALUES ($1, $2, now() + interval '1 day')",
        [createHash("sha256").update(token).digest("hex"), id],
      );
      tokens.push(token);
      users.push(id);
    }
    await client.query("ANALYZE");
    const accounts = join(tmpdir(), `bench-accounts-${process.pid}.json`);
    writeFileSync(accounts, JSON.stringify({ tokens, users }));
    console.log(
      JSON.stringify({
        url: scratch.url,
        rawEvents: events.raw?.join(","),
        httpEvents: events.http?.join(","),
        accounts,
      }),
    );
  } finally {
    await client.end();
  }
}

/**
 * The domain's seat claim (packages/api/src/domain/bookings.ts, by quantity), statement for
 * statement: the event's row, then the one statement that claims, logs and answers with
 * the booking; here in one transaction.
 */
async function claimOne(client: pg.PoolClient, eventId: string, user: string): Promise<"ok" | "sold_out"> {
  const bookingId = randomUUID();
  await client.query("BEGIN");
  try {
    const event = await client.query("SELECT status, starts_at, name, organizer_id FROM events WHERE id = $1", [
      eventId,
    ]);
    if (event.rows[0]?.status !== "on_sale") throw new Error("event not on sale");
    const free = "(es.status = 'available' OR (es.status = 'held' AND es.hold_expires_at <= clock_timestamp()))";
    const claimed = await client.query(
      `WITH ev AS (
         SELECT e.status IN ('on_sale', 'sold_out') AND e.starts_at > now() AS open,
                e.id AS event_id, e.name AS event_name, e.starts_at, v.name AS venue_name, v.city
         FROM events e JOIN venues v ON v.id = e.venue_id WHERE e.id = $1
       ), picked AS MATERIALIZED (
         SELECT es.seat_id, vs.section, vs.row, vs.number, vs.tier, et.price_cents FROM event_seats es
         JOIN venue_seats vs ON vs.id = es.seat_id
         JOIN event_tiers et ON et.event_id = es.event_id AND et.tier = vs.tier
         WHERE es.event_id = $1 AND ${free}
         ORDER BY et.price_cents DESC, vs.section, length(vs.row), vs.row, vs.number
         LIMIT 1
         FOR UPDATE OF es SKIP LOCKED
       ), go AS MATERIALIZED (
         SELECT coalesce((SELECT open FROM ev), false) AND (SELECT count(*) FROM picked) = 1 AS ok
       ), booking AS (
         INSERT INTO bookings (id, event_id, user_id, total_cents, expires_at)
         SELECT $2, $1, $3, (SELECT coalesce(sum(price_cents), 0) FROM picked), now() + make_interval(mins => $4)
         FROM go WHERE go.ok
         RETURNING id, user_id, status, total_cents, expires_at, created_at, confirmed_at, cancelled_at
       ), claimed AS (
         UPDATE event_seats es
         SET status = 'held', booking_id = booking.id, hold_expires_at = booking.expires_at
         FROM picked, booking
         WHERE es.event_id = $1 AND es.seat_id = picked.seat_id AND ${free}
         RETURNING es.event_id, es.seat_id
       ), priced AS (
         INSERT INTO booking_seats (booking_id, event_id, seat_id, tier, price_cents)
         SELECT $2, c.event_id, c.seat_id, p.tier, p.price_cents
         FROM claimed c JOIN picked p ON p.seat_id = c.seat_id
       ), logged AS (
         INSERT INTO seat_changes (event_id, status, seat_ids)
         SELECT $1::uuid, 'held'::seat_status, array_agg(seat_id ORDER BY seat_id) FROM claimed HAVING count(*) > 0
       )
       SELECT b.*, ev.event_id, ev.event_name, ev.starts_at, ev.venue_name, ev.city,
              coalesce((SELECT open FROM ev), false) AS open,
              (SELECT count(*) FROM picked)::int AS picked, (SELECT count(*) FROM claimed)::int AS claimed,
              (SELECT json_agg(json_build_object(
                 'booking_id', b.id, 'seat_id', vs.seat_id, 'section', vs.section, 'row', vs.row,
                 'number', vs.number, 'tier', vs.tier, 'price_cents', vs.price_cents)
                 ORDER BY vs.section, length(vs.row), vs.row, vs.number)
               FROM picked vs) AS seats
       FROM go LEFT JOIN booking b ON true LEFT JOIN ev ON true`,
      [eventId, bookingId, user, HOLD_MINUTES],
    );
    if ((claimed.rows[0]?.claimed ?? 0) < 1) {
      await client.query("ROLLBACK");
      return "sold_out";
    }
    await client.query("COMMIT");
    return "ok";
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {});
    throw error;
  }
}

async function raw(url: string, eventIds: string[], seconds: number, clients: number) {
  const { users } = JSON.parse(readFileSync(process.env.BENCH_ACCOUNTS ?? "", "utf8")) as { users: string[] };
  const pool = new pg.Pool({ connectionString: url, max: POOL_SIZE });
  const latencies: number[] = [];
  const failed: Record<string, number> = {};
  let ok = 0;
  const until = Date.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: clients }, async (_, i) => {
      const user = users[i % users.length] as string;
      const eventId = eventIds[i % eventIds.length] as string;
      while (Date.now() < until) {
        const started = performance.now();
        const client = await pool.connect();
        try {
          const outcome = await claimOne(client, eventId, user);
          if (outcome === "ok") {
            ok++;
            latencies.push(performance.now() - started);
          } else failed.sold_out = (failed.sold_out ?? 0) + 1;
        } catch (error) {
          const code = (error as { code?: string }).code ?? "error";
          failed[code] = (failed[code] ?? 0) + 1;
        } finally {
          client.release();
        }
      }
    }),
  );
  await pool.end();
  console.log(JSON.stringify({ clients, poolSize: POOL_SIZE, ...summary(latencies, ok, failed, seconds) }));
}

function post(agent: http.Agent, api: URL, token: string, key: string, body: string) {
  return new Promise<{ status: number; text: string }>((resolve, reject) => {
    const req = http.request(
      {
        agent,
        host: api.hostname,
        port: api.port,
        path: "/trpc/createBooking",
        method: "POST",
        headers: {
          "content-type": "application/json",
          "content-length": Buffer.byteLength(body),
          authorization: `Bearer ${token}`,
          "idempotency-key": key,
        },
      },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => {
          text += chunk;
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

const bookingIdOf = (text: string) => /"id":"([0-9a-f-]{36})"/.exec(text)?.[1];

async function overHttp(apiUrl: string, eventIds: string[], seconds: number, clients: number) {
  const { tokens } = JSON.parse(readFileSync(process.env.BENCH_ACCOUNTS ?? "", "utf8")) as { tokens: string[] };
  const api = new URL(apiUrl);
  const agent = new http.Agent({ keepAlive: true, maxSockets: clients });
  const latencies: number[] = [];
  const failed: Record<string, number> = {};
  let ok = 0;
  let replays = 0;
  let replayMismatches = 0;
  const until = Date.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: clients }, async (_, i) => {
      const token = tokens[i % tokens.length] as string;
      const body = JSON.stringify({ json: { eventId: eventIds[i % eventIds.length], quantity: 1 } });
      let n = 0;
      while (Date.now() < until) {
        const key = `bench-${i}-${n++}-${randomBytes(4).toString("hex")}`;
        const started = performance.now();
        try {
          const response = await post(agent, api, token, key, body);
          if (response.status !== 200) {
            const code = /"code":"([A-Z_]+)"/.exec(response.text)?.[1] ?? String(response.status);
            failed[code] = (failed[code] ?? 0) + 1;
            continue;
          }
          ok++;
          latencies.push(performance.now() - started);
          // Each client's first booking, and every fifth after, is sent again with its key, as a
          // client that lost the answer would: it must get the same booking back, and no second
          // one may exist.
          if (n % 5 === 1) {
            replays++;
            const again = await post(agent, api, token, key, body);
            if (again.status !== 200 || bookingIdOf(again.text) !== bookingIdOf(response.text)) replayMismatches++;
          }
        } catch (error) {
          const code = (error as { code?: string }).code ?? "error";
          failed[code] = (failed[code] ?? 0) + 1;
        }
      }
    }),
  );
  agent.destroy();
  console.log(JSON.stringify({ clients, ...summary(latencies, ok, failed, seconds), replays, replayMismatches }));
}

async function check(url: string, eventIds: string[]) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    // A seat in more than one live booking, or marked held for a booking that does not list it.
    const oversold = await client.query(
      `SELECT count(*)::int AS n FROM (
         SELECT bs.seat_id FROM booking_seats bs JOIN bookings b ON b.id = bs.booking_id
         WHERE bs.event_id = ANY($1::uuid[]) AND b.status IN ('held', 'confirmed')
         GROUP BY bs.event_id, bs.seat_id HAVING count(*) > 1
       ) s`,
      [eventIds],
    );
    const mismatched = await client.query(
      `SELECT count(*)::int AS n FROM event_seats es
       WHERE es.event_id = ANY($1::uuid[]) AND es.status = 'held'
         AND NOT EXISTS (SELECT 1 FROM booking_seats bs WHERE bs.booking_id = es.booking_id AND bs.seat_id = es.seat_id)`,
      [eventIds],
    );
    // Two bookings from one idempotency key would leave more bookings than stored outcomes.
    const bookings = await client.query("SELECT count(*)::int AS n FROM bookings WHERE event_id = ANY($1::uuid[])", [
      eventIds,
    ]);
    const held = await client.query(
      "SELECT count(*)::int AS n FROM event_seats WHERE event_id = ANY($1::uuid[]) AND status = 'held'",
      [eventIds],
    );
    const keyed = await client.query(
      `SELECT count(*)::int AS n FROM idempotency_records WHERE procedure = 'createBooking'`,
    );
    console.log(
      JSON.stringify({
        oversold: (oversold.rows[0]?.n ?? 0) + (mismatched.rows[0]?.n ?? 0),
        bookings: bookings.rows[0]?.n ?? 0,
        heldSeats: held.rows[0]?.n ?? 0,
        keyedOutcomes: keyed.rows[0]?.n ?? 0,
      }),
    );
  } finally {
    await client.end();
  }
}

/**
 * The claim's cost to the database alone, with and without the triggers on event_seats that
 * keep the seat counts (foreign keys, constraint triggers of their own, stay on): claims in
 * turn on one connection, so no lock is waited for, in rounds that alternate the two. Leaves
 * the triggers enabled. Only for a scratch database: it alters a table.
 */
async function claimCost(url: string, eventIds: string[], claims: number) {
  const { users } = JSON.parse(readFileSync(process.env.BENCH_ACCOUNTS ?? "", "utf8")) as { users: string[] };
  const pool = new pg.Pool({ connectionString: url, max: 1 });
  const client = await pool.connect();
  const perClaim: Record<"on" | "off", number[]> = { on: [], off: [] };
  const backendCpu: Record<"on" | "off", number[]> = { on: [], off: [] };
  // The backend's own CPU time (user + system, in clock ticks of 10 ms), from /proc: on a
  // shared machine the wall time of a claim is mostly waiting for a core, its CPU time is not.
  const backend = (await client.query<{ pid: number }>("SELECT pg_backend_pid() AS pid")).rows[0]?.pid;
  const cpuTicks = () => {
    const fields = readFileSync(`/proc/${backend}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
    return Number(fields[11]) + Number(fields[12]);
  };
  try {
    for (let round = 0; round < 6; round++) {
      const triggers = round % 2 === 0 ? "on" : "off";
      await client.query(`ALTER TABLE event_seats ${triggers === "on" ? "ENABLE" : "DISABLE"} TRIGGER USER`);
      const started = performance.now();
      const ticks = cpuTicks();
      for (let i = 0; i < claims; i++) {
        await claimOne(client, eventIds[i % eventIds.length] as string, users[i % users.length] as string);
      }
      backendCpu[triggers].push(Number((((cpuTicks() - ticks) * 10) / claims).toFixed(3)));
      perClaim[triggers].push(Number(((performance.now() - started) / claims).toFixed(3)));
    }
  } finally {
    await client.query("ALTER TABLE event_seats ENABLE TRIGGER USER");
    client.release();
    await pool.end();
  }
  console.log(JSON.stringify({ claims, wallMsPerClaim: perClaim, backendCpuMsPerClaim: backendCpu }));
}

async function drop(url: string) {
  console.log(JSON.stringify({ dropped: await dropScratchPostgres(url) }));
}

const [command, ...args] = process.argv.slice(2);
const [a = "", b = "", c = "10", d = String(CLIENTS)] = args;
switch (command) {
  case "setup":
    await setup();
    break;
  case "raw":
    await raw(a, b.split(","), Number(c), Number(d));
    break;
  case "http":
    await overHttp(a, b.split(","), Number(c), Number(d));
    break;
  case "check":
    await check(a, b.split(","));
    break;
  case "claim-cost":
    await claimCost(a, b.split(","), Number(c));
    break;
  case "drop":
    await drop(a);
    break;
  default:
    throw new Error(`unknown command ${command}`);
}
