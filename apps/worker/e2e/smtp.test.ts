import type { AddressInfo } from "node:net";
import { createTestApi, type TestApi } from "@ticketing/api/testing";
import { queryRows } from "@ticketing/db";
import { startTestServer, TEST_WORKER_TOKEN, type TestServer } from "@ticketing/server/testing";
import { sql } from "drizzle-orm";
import PostalMime from "postal-mime";
import { SMTPServer, type SMTPServerError } from "smtp-server";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { confirmedBookings, notificationsOf, settleOutbox } from "./support/fixtures";
import { eventually, runWorker, type WorkerProcess } from "./support/process";

interface Received {
  from: string;
  to: string[];
  raw: Buffer;
  messageId: string | undefined;
}

/** What the relay answers to a message, by its X-Ticketing-Notification id: accept, or refuse with a reply. */
type Verdict = { accept: true } | { code: number; message: string };

/**
 * A real SMTP server in the test process (smtp-server), with a login, that records what it
 * accepted and answers each message as the test decides: the worker speaks SMTP to it
 * exactly as it would to a relay.
 */
async function startRelay() {
  const received: Received[] = [];
  const attempts = new Map<string, number>();
  let decide: (notificationId: string, attempt: number) => Verdict = () => ({ accept: true });
  /** Runs after a message is stored and before the server answers 250. */
  let beforeAccepting: (notificationId: string) => Promise<void> = async () => {};
  const server = new SMTPServer({
    disabledCommands: ["STARTTLS"],
    allowInsecureAuth: true,
    logger: false,
    onAuth(auth, _session, callback) {
      if (auth.username === "mailer" && auth.password === "s3cret") return callback(null, { user: auth.username });
      callback(Object.assign(new Error("Invalid username or password"), { responseCode: 535 }));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("end", async () => {
        const raw = Buffer.concat(chunks);
        const id = /^X-Ticketing-Notification: (\S+)/im.exec(raw.toString("utf8"))?.[1] ?? "";
        const attempt = (attempts.get(id) ?? 0) + 1;
        attempts.set(id, attempt);
        const verdict = decide(id, attempt);
        if (!("accept" in verdict)) {
          const error: SMTPServerError = Object.assign(new Error(verdict.message), { responseCode: verdict.code });
          return callback(error);
        }
        const parsed = await PostalMime.parse(raw);
        received.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
          to: session.envelope.rcptTo.map((rcpt) => rcpt.address),
          raw,
          messageId: parsed.messageId,
        });
        await beforeAccepting(id);
        callback(null, "2.0.0 queued");
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://mailer:s3cret@127.0.0.1:${port}`,
    received,
    attempts,
    answer(rule: typeof decide) {
      decide = rule;
    },
    beforeAccepting(hook: typeof beforeAccepting) {
      beforeAccepting = hook;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

type Relay = Awaited<ReturnType<typeof startRelay>>;

describe("the worker delivering over SMTP", () => {
  let server: TestServer;
  let api: TestApi;
  let relay: Relay;
  const running: WorkerProcess[] = [];

  beforeAll(async () => {
    server = await startTestServer();
    api = await createTestApi(server.database);
  });
  afterEach(async () => {
    for (const worker of running.splice(0)) worker.child.kill("SIGKILL");
    await relay?.close();
  });
  afterAll(async () => {
    await server?.close();
  });

  async function freshRelay(): Promise<Relay> {
    await settleOutbox(server.database.db);
    relay = await startRelay();
    return relay;
  }

  function worker(args: string[], env: Record<string, string> = {}): WorkerProcess {
    const process = runWorker(args, {
      API_URL: server.url,
      WORKER_TOKEN: TEST_WORKER_TOKEN,
      SMTP_URL: relay.url,
      WORKER_POLL_INTERVAL_MS: "100",
      WORKER_HOLD_SWEEP_INTERVAL_MS: "60000",
      ...env,
    });
    running.push(process);
    return process;
  }

  const stored = (ids: string[]) =>
    queryRows<{ id: string; attempts: number; delivered: boolean; failed: boolean; last_error: string | null }>(
      server.database.db,
      sql`SELECT id, attempts, delivered_at IS NOT NULL AS delivered, failed_at IS NOT NULL AS failed, last_error
          FROM notifications WHERE id IN (${sql.join(
            ids.map((id) => sql`${id}::uuid`),
            sql`, `,
          )}) ORDER BY created_at, id`,
    );

  it("sends a booking confirmation with its text and HTML parts, and records it delivered", async () => {
    await freshRelay();
    const [bookingId = ""] = await confirmedBookings(api, 1);
    const [notification] = await notificationsOf(server.database.db, [bookingId]);
    if (!notification) throw new Error("no notification queued");

    const run = worker(["--once"]);
    expect(await run.exited).toBe(0);

    expect(relay.received).toHaveLength(1);
    const [mail] = relay.received;
    const user = await queryRows<{ email: string }>(
      server.database.db,
      sql`SELECT u.email FROM bookings b JOIN users u ON u.id = b.user_id WHERE b.id = ${bookingId}`,
    );
    expect(mail?.from).toBe("tickets@ticketing.example");
    expect(mail?.to).toEqual([user[0]?.email]);
    const parsed = await PostalMime.parse(mail?.raw ?? Buffer.alloc(0));
    expect(parsed.subject).toMatch(/^Booking confirmed — Test Show /);
    expect(parsed.messageId).toBe(`<${notification.id}@ticketing.example>`);
    expect(parsed.text).toContain("is confirmed.");
    expect(parsed.text).toContain(`Booking reference: ${bookingId}`);
    expect(parsed.html).toContain("<table>");
    expect(parsed.html).toContain(bookingId);
    expect(await stored([notification.id])).toEqual([
      { id: notification.id, attempts: 1, delivered: true, failed: false, last_error: null },
    ]);
    expect(run.logs().find((line) => line.msg === "notification delivered")?.accepted).toMatch(/^250 /);
  });

  it("puts a message refused with 4xx back in the outbox, and delivers it on a later attempt", async () => {
    await freshRelay();
    relay.answer((_id, attempt) =>
      attempt === 1 ? { code: 451, message: "4.7.1 Greylisted, please try again later" } : { accept: true },
    );
    const [bookingId = ""] = await confirmedBookings(api, 1);
    const [notification] = await notificationsOf(server.database.db, [bookingId]);
    if (!notification) throw new Error("no notification queued");

    const run = worker([], { WORKER_DELIVERY_RETRY_BASE_SECONDS: "1", WORKER_DELIVERY_RETRY_MAX_SECONDS: "1" });
    const deferred = await run.waitForLog((line) => line.msg === "delivery deferred");
    expect(deferred).toMatchObject({ notificationId: notification.id, attempt: 1, retryInSeconds: 1 });
    expect(deferred.reply).toMatch(/^EMESSAGE: 451 4\.7\.1 Greylisted/);
    await eventually("the retry to be delivered", async () => (await stored([notification.id]))[0]?.delivered === true);

    expect(relay.attempts.get(notification.id)).toBe(2);
    expect(relay.received.map((mail) => mail.messageId)).toEqual([`<${notification.id}@ticketing.example>`]);
    // The last failure's reply stays on the row for whoever wonders why it was late.
    expect(await stored([notification.id])).toEqual([
      {
        id: notification.id,
        attempts: 2,
        delivered: true,
        failed: false,
        last_error: expect.stringContaining("451 4.7.1 Greylisted"),
      },
    ]);
  });

  it("marks a message refused with 5xx failed, with the server's reply, and never sends it again", async () => {
    await freshRelay();
    relay.answer(() => ({ code: 550, message: "5.7.1 Message rejected as spam" }));
    const [bookingId = ""] = await confirmedBookings(api, 1);
    const [notification] = await notificationsOf(server.database.db, [bookingId]);
    if (!notification) throw new Error("no notification queued");

    const first = worker(["--once"]);
    expect(await first.exited).toBe(0);
    expect(await stored([notification.id])).toEqual([
      {
        id: notification.id,
        attempts: 1,
        delivered: false,
        failed: true,
        last_error: "EMESSAGE: 550 5.7.1 Message rejected as spam",
      },
    ]);
    expect(first.logs().some((line) => line.msg === "notification failed: not retried")).toBe(true);

    relay.answer(() => ({ accept: true }));
    const second = worker(["--once"]);
    expect(await second.exited).toBe(0);
    expect(relay.attempts.get(notification.id)).toBe(1);
    expect(relay.received).toEqual([]);
  });

  it("sends at most one duplicate, with the same Message-ID, when the worker dies between acceptance and acknowledgement", async () => {
    await freshRelay();
    const bookingIds = await confirmedBookings(api, 4);
    const notifications = await notificationsOf(server.database.db, bookingIds);
    const env = { WORKER_BATCH_SIZE: "4", WORKER_LEASE_SECONDS: "5" };
    const victim = worker([], env);
    // The relay has the first message stored; the worker dies before it hears "250" and
    // so before it can acknowledge.
    let killed: string | undefined;
    relay.beforeAccepting(async (id) => {
      if (killed) return;
      killed = id;
      victim.child.kill("SIGKILL");
      await victim.exited;
    });
    await eventually("the worker to be killed mid-delivery", async () => killed !== undefined);
    expect(await victim.exited).toBe(null);
    expect(victim.logs().some((line) => line.msg === "notifications acknowledged")).toBe(false);

    // The next worker takes the batch over once the lease runs out and sends it all.
    const successor = worker([], env);
    await eventually("every notification to be recorded as delivered", async () =>
      (await stored(notifications.map((n) => n.id))).every((row) => row.delivered),
    );
    successor.child.kill("SIGTERM");
    expect(await successor.exited).toBe(0);

    const copies = new Map<string, number>();
    for (const mail of relay.received) copies.set(mail.messageId ?? "", (copies.get(mail.messageId ?? "") ?? 0) + 1);
    const expected = notifications.map((n) => `<${n.id}@ticketing.example>`);
    expect([...copies.keys()].sort()).toEqual([...expected].sort());
    // Exactly one message arrived twice — the one in hand when the worker died — under one Message-ID.
    expect([...copies.entries()].filter(([, count]) => count > 1)).toEqual([[`<${killed}@ticketing.example>`, 2]]);
    expect(relay.received).toHaveLength(notifications.length + 1);
  });

  it("keeps messages in the outbox while the relay refuses the login", async () => {
    await freshRelay();
    const [bookingId = ""] = await confirmedBookings(api, 1);
    const [notification] = await notificationsOf(server.database.db, [bookingId]);
    if (!notification) throw new Error("no notification queued");
    const run = worker(["--once"], { SMTP_URL: relay.url.replace("s3cret", "wrong") });
    expect(await run.exited).toBe(0);
    const [row] = await stored([notification.id]);
    expect(row).toMatchObject({ delivered: false, failed: false, last_error: expect.stringMatching(/^EAUTH: 535 /) });
  });
});
