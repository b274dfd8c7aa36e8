import { eventId } from "@ticketing/db";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { postgresAvailable, startPostgresServer, type TestServer } from "./testing";

// What one keyed createBooking costs the database on PostgreSQL, in statements: each is a
// round trip while the booking's row locks are held, so under load their number sets the
// throughput (docs/decisions/014-performance.md).

const lights = eventId("city-lights");
const run = await postgresAvailable();

type Sent = { text: string };
const sent: Sent[] = [];
const query = pg.Client.prototype.query;

function textOf(config: unknown): string {
  if (typeof config === "string") return config;
  if (config && typeof config === "object" && "text" in config) return String((config as { text: unknown }).text);
  return String(config);
}

async function call(server: TestServer, path: string, input: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${server.url}/trpc/${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify({ json: input }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe.runIf(run)("createBooking statements on PostgreSQL", () => {
  let server: TestServer;
  let token: string;
  beforeAll(async () => {
    server = await startPostgresServer();
    const signIn = await call(server, "signIn", { email: "alice@example.com", password: "demo-password" });
    token = (signIn.body.result as { data: { json: { token: string } } }).data.json.token;
    pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
      sent.push({ text: textOf(args[0]) });
      return (query as (...a: unknown[]) => unknown).apply(this, args);
    } as typeof query;
  });
  afterAll(async () => {
    pg.Client.prototype.query = query;
    await server?.close();
  });

  it("counts", async () => {
    sent.length = 0;
    const answer = await call(
      server,
      "createBooking",
      { eventId: lights, quantity: 2 },
      {
        authorization: `Bearer ${token}`,
        "idempotency-key": "statements-0001",
      },
    );
    expect(answer.status).toBe(200);
    const during = sent.map((s) => s.text.replace(/\s+/g, " ").slice(0, 140));
    console.log(during.length, during);
  });
});
