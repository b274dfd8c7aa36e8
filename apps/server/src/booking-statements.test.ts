import { type DatabaseHandle, eventId } from "@ticketing/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { postgresAvailable, startPostgresServer, type TestServer } from "./testing";

// What one createBooking costs the database on PostgreSQL, in statements. Each is a round
// trip made while the booking holds its row locks, so under load their number sets the
// throughput (docs/decisions/014-performance.md). The availability feed's sequencer runs
// after the commit, once for many bookings, and so does its read of what was sequenced (it
// tells the instance's event cache which events changed): neither is counted here. The seat
// counts move inside the claim statement (triggers, docs/decisions/016): no statement added.
// The session, key, event and outcome statements are written as SQL rather than built by
// drizzle (less CPU per call, docs/decisions/016, 2026-12-07): the same statements, in the
// same order, with new text.

const lights = eventId("city-lights");
const run = await postgresAvailable();

type Sent = { client: object; text: string };
const sent: Sent[] = [];
type Pool = Extract<DatabaseHandle, { kind: "postgres" }>["pool"];
type Query = (...args: unknown[]) => unknown;

function textOf(config: unknown): string {
  if (typeof config === "string") return config;
  if (config && typeof config === "object" && "text" in config) return String((config as { text: unknown }).text);
  return String(config);
}

/** The statements sent on behalf of a call, without the sequencer's transactions and the feed's reads. */
function callStatements(): string[] {
  const sequencer = new Set<number>();
  for (let i = 0; i < sent.length; i++) {
    const entry = sent[i] as Sent;
    if (!/pg_advisory_xact_lock/.test(entry.text)) continue;
    // The sequencer's transaction: its BEGIN before, on the same connection, to its COMMIT.
    const same = sent.map((s, at) => ({ ...s, at })).filter((s) => s.client === entry.client);
    const here = same.findIndex((s) => s.at === i);
    for (let j = here - 1; j >= 0 && !sequencer.has((same[j] as { at: number }).at); j--) {
      sequencer.add((same[j] as { at: number }).at);
      if (/^begin/i.test((same[j] as Sent).text)) break;
    }
    for (let j = here; j < same.length; j++) {
      sequencer.add((same[j] as { at: number }).at);
      if (/^(commit|rollback)/i.test((same[j] as Sent).text)) break;
    }
  }
  return sent
    .filter(
      (s, at) =>
        !sequencer.has(at) &&
        !/FROM seat_changes WHERE position IS NULL/.test(s.text) &&
        !/^SELECT position, event_id, status, seat_ids FROM seat_changes\s+WHERE position >/.test(s.text),
    )
    .map((s) => s.text.replace(/\s+/g, " ").trim());
}

/** Whether a connection has a transaction open (the sequencer's, between its statements). */
function inTransaction(): boolean {
  const open = new Map<object, boolean>();
  for (const { client, text } of sent) {
    if (/^begin/i.test(text)) open.set(client, true);
    else if (/^(commit|rollback)/i.test(text)) open.set(client, false);
  }
  return [...open.values()].some(Boolean);
}

const head = (statement: string) => statement.slice(0, 20).toLowerCase();

async function call(server: TestServer, path: string, input: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${server.url}/trpc/${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify({ json: input }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe.runIf(run)("createBooking's statements on PostgreSQL", () => {
  let server: TestServer;
  let token: string;
  let pool: Pool;
  // Every connection of the pool is a client of one class: its query method is wrapped.
  let clientClass: { query: Query } | undefined;
  let query: Query | undefined;
  beforeAll(async () => {
    server = await startPostgresServer();
    if (server.database.kind !== "postgres") throw new Error("expected a PostgreSQL server");
    pool = server.database.pool;
    const signIn = await call(server, "signIn", { email: "alice@example.com", password: "demo-password" });
    token = (signIn.body.result as { data: { json: { token: string } } }).data.json.token;
    const client = await pool.connect();
    clientClass = Object.getPrototypeOf(client) as { query: Query };
    client.release();
    const original = clientClass.query;
    query = original;
    clientClass.query = function (this: object, ...args: unknown[]) {
      sent.push({ client: this, text: textOf(args[0]) });
      return original.apply(this, args);
    };
  });
  afterAll(async () => {
    if (clientClass && query) clientClass.query = query;
    await server?.close();
  });

  async function book(headers: Record<string, string>) {
    sent.length = 0;
    const answer = await call(
      server,
      "createBooking",
      { eventId: lights, quantity: 2 },
      {
        authorization: `Bearer ${token}`,
        ...headers,
      },
    );
    expect(answer.status).toBe(200);
    const booking = (answer.body.result as { data: { json: { seats: unknown[]; status: string } } }).data.json;
    expect(booking.status).toBe("held");
    expect(booking.seats).toHaveLength(2);
    // Let the sequencer's run, set off by the commit, finish (so it can be told apart).
    for (let quiet = 0, seen = -1, rounds = 0; (quiet < 3 || inTransaction()) && rounds < 100; rounds++) {
      quiet = sent.length === seen ? quiet + 1 : 0;
      seen = sent.length;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return callStatements();
  }

  it("a keyed booking: session, key claim and outcome, the event, the claim", async () => {
    const statements = await book({ "idempotency-key": "statements-0001" });
    expect(statements.map(head)).toEqual([
      "select u.id, u.email", // the session
      "begin",
      "insert into idempote", // the key's record
      "select status, start", // the event, with its permission facts
      "with ev as ( select ", // the claim, its log and the answer
      "update idempotency_r", // the outcome
      "commit",
    ]);
  });

  it("an unkeyed booking: session, the event, the claim", async () => {
    const statements = await book({});
    expect(statements.map(head)).toEqual(["select u.id, u.email", "select status, start", "with ev as ( select "]);
  });

  it("with a deadline: one transaction bounds them all, and neither the key's record nor the claim needs a savepoint", async () => {
    const bounded = ["begin", "select set_config('s"];
    const keyed = await book({ "idempotency-key": "statements-0002", "rpc-timeout-ms": "5000" });
    expect(keyed.map(head)).toEqual([
      ...bounded,
      "select u.id, u.email",
      "insert into idempote",
      "select status, start",
      "with ev as ( select ",
      "update idempotency_r",
      "commit",
    ]);
    const unkeyed = await book({ "rpc-timeout-ms": "5000" });
    expect(unkeyed.map(head)).toEqual([
      ...bounded,
      "select u.id, u.email",
      "select status, start",
      "with ev as ( select ",
      "commit",
    ]);
  });

  it("with a deadline, a failed call leaves no record behind, and a replayable one is stored and replayed", async () => {
    const headers = { authorization: `Bearer ${token}`, "rpc-timeout-ms": "5000" };
    const records = async (key: string) =>
      (
        await pool.query<{ outcome: { code?: string } | null }>(
          "SELECT outcome FROM idempotency_records WHERE key = $1",
          [key],
        )
      ).rows;

    const missing = "00000000-0000-4000-8000-000000000000";
    const unknown = await call(
      server,
      "createBooking",
      { eventId: missing, quantity: 1 },
      {
        ...headers,
        "idempotency-key": "statements-0003",
      },
    );
    expect(unknown.status).toBe(404);
    expect(await records("statements-0003")).toEqual([]);

    const notOnSale = { eventId: eventId("aurora-ballet"), quantity: 1 };
    const first = await call(server, "createBooking", notOnSale, { ...headers, "idempotency-key": "statements-0004" });
    expect(first.status).toBe(412);
    expect((await records("statements-0004")).map((r) => r.outcome?.code)).toEqual(["PRECONDITION_FAILED"]);
    const again = await call(server, "createBooking", notOnSale, { ...headers, "idempotency-key": "statements-0004" });
    expect(again).toEqual(first);
  });
});
