import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createTestApi, type TestApi } from "@ticketing/api/testing";
import { queryRows } from "@ticketing/db";
import { TEST_WORKER_TOKEN, type TestServer } from "@ticketing/server/testing";
import { sql } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  confirmedBookings,
  countLapsedHolds,
  freshEvent,
  lapsedHolds,
  notificationsOf,
  outboxFiles,
  parseMessage,
  seatStates,
  settleOutbox,
} from "./fixtures";
import { eventually, type LogLine, runWorker, type WorkerProcess } from "./process";

const VENUE = "The Lantern Room";

const acknowledgedBy = (worker: WorkerProcess) =>
  worker
    .logs()
    .filter((line) => line.msg.startsWith("notifications acknowledged"))
    .flatMap((line) => line.acknowledged as string[]);

const deliveredBy = (worker: WorkerProcess) =>
  worker
    .logs()
    .filter((line) => line.msg === "notification delivered")
    .map((line) => line.notificationId as string);

/**
 * The worker's jobs as separate processes against a real server: hold expiry, outbox
 * delivery (with a worker killed mid-batch) and event import. Run once per store.
 */
export function defineWorkerSuite(store: string, start: () => Promise<TestServer>) {
  describe(`the worker against a server on ${store}`, () => {
    let server: TestServer;
    let api: TestApi;
    let scratch: string;
    const running: WorkerProcess[] = [];

    beforeAll(async () => {
      server = await start();
      api = await createTestApi(server.database);
      scratch = mkdtempSync(join(tmpdir(), "worker-e2e-"));
    });
    afterEach(() => {
      for (const worker of running.splice(0)) worker.child.kill("SIGKILL");
    });
    afterAll(async () => {
      await server?.close();
      rmSync(scratch, { recursive: true, force: true });
    });

    /** A worker process against this server, with its own outbox folder unless one is given. */
    function worker(args: string[], env: Record<string, string> = {}): WorkerProcess {
      const process = runWorker(args, {
        API_URL: server.url,
        WORKER_TOKEN: TEST_WORKER_TOKEN,
        WORKER_OUTBOX_DIR: join(scratch, randomUUID()),
        ...env,
      });
      running.push(process);
      return process;
    }

    it("purges idempotency records past their retention and keeps the live ones", async () => {
      const { eventId, caller } = await freshEvent(api, 2);
      const [stale, live] = [`stale-${randomUUID()}`, `live-${randomUUID()}`];
      await caller.createBooking({ eventId, quantity: 1, idempotencyKey: stale });
      await caller.createBooking({ eventId, quantity: 1, idempotencyKey: live });
      await server.database.db.execute(
        sql`UPDATE idempotency_records SET expires_at = now() - interval '1 minute' WHERE key = ${stale}`,
      );
      const run = worker(["--once"]);
      expect(await run.exited).toBe(0);
      const keys = await queryRows<{ key: string }>(
        server.database.db,
        sql`SELECT key FROM idempotency_records WHERE key IN (${stale}, ${live})`,
      );
      expect(keys.map((row) => row.key)).toEqual([live]);
      const purged = run.logs().find((line) => line.msg === "expired idempotency records purged");
      expect(purged?.purged).toBeGreaterThanOrEqual(1);
    });

    it("releases expired holds once across three workers, and their seats go back on sale", async () => {
      await settleOutbox(server.database.db);
      const { eventId, caller, bookingIds } = await lapsedHolds(api, 3);
      // Lapsed holds already count as available to buyers; the rows still say "held".
      expect(await seatStates(server.database.db, eventId)).toEqual({ held: 6 });
      const lapsed = await countLapsedHolds(server.database.db);
      expect(lapsed).toBeGreaterThanOrEqual(3);

      // A limit of one per call makes the three workers interleave their sweeps.
      const outbox = join(scratch, "holds");
      const workers = [1, 2, 3].map(() =>
        worker(["--once"], { WORKER_HOLD_SWEEP_LIMIT: "1", WORKER_OUTBOX_DIR: outbox }),
      );
      expect(await Promise.all(workers.map((w) => w.exited))).toEqual([0, 0, 0]);

      const released = workers
        .flatMap((w) => w.logs())
        .filter((line) => line.msg === "expired holds released")
        .reduce((sum, line) => sum + (line.released as number), 0);
      expect(released).toBe(lapsed);
      expect(await seatStates(server.database.db, eventId)).toEqual({ available: 6 });
      const after = await api.anonymous.getEvent({ eventId });
      expect(after.counts).toMatchObject({ available: 6, held: 0, sold: 0 });
      expect((await api.anonymous.getAvailableTickets({ eventId })).seats).toHaveLength(6);
      for (const bookingId of bookingIds) {
        expect((await caller.getBooking({ bookingId })).status).toBe("expired");
      }

      // One "hold expired" email per booking, written once and recorded as delivered. The
      // three workers race, so the emails come in whatever order their sweeps committed.
      const emails = await notificationsOf(server.database.db, bookingIds);
      const byBooking = (pairs: string[][]) => [...pairs].sort((a, b) => (a[0] ?? "").localeCompare(b[0] ?? ""));
      expect(byBooking(emails.map((email) => [email.booking_id, email.kind]))).toEqual(
        byBooking(bookingIds.map((id) => [id, "hold_expired"])),
      );
      expect(emails.every((email) => email.delivered_at !== null)).toBe(true);
      expect(outboxFiles(outbox)).toEqual(expect.arrayContaining(emails.map((email) => email.id)));
      const message = await parseMessage(outbox, emails[0]?.id ?? "");
      expect(message.subject).toMatch(/^Hold expired — Test Show /);
    });

    it("delivers the outbox to disk, one file and one record per notification, across three workers, one killed mid-batch", async () => {
      await settleOutbox(server.database.db);
      const bookingIds = await confirmedBookings(api, 20);
      const outbox = join(scratch, "outbox");
      // Slow deliveries and small batches keep every worker mid-batch most of the time;
      // the shortest lease lets the killed worker's batch come back within seconds.
      const env = {
        WORKER_OUTBOX_DIR: outbox,
        WORKER_BATCH_SIZE: "4",
        WORKER_LEASE_SECONDS: "5",
        WORKER_DELIVERY_DELAY_MS: "250",
        WORKER_POLL_INTERVAL_MS: "100",
        WORKER_HOLD_SWEEP_INTERVAL_MS: "60000",
      };
      const workers = [worker([], env), worker([], env), worker([], env)];

      // The first worker to deliver one message still holds the rest of its batch: kill it.
      const first = await Promise.race(
        workers.map((w) => w.waitForLog((line) => line.msg === "notification delivered").then(() => w)),
      );
      first.child.kill("SIGKILL");
      const survivors = workers.filter((w) => w !== first);

      await eventually("every notification to be recorded as delivered", async () => {
        const rows = await notificationsOf(server.database.db, bookingIds);
        return rows.length === 20 && rows.every((row) => row.delivered_at !== null);
      });
      for (const survivor of survivors) survivor.child.kill("SIGTERM");
      expect(await Promise.all(survivors.map((w) => w.exited))).toEqual([0, 0]);
      expect(await first.exited).toBe(null);

      const rows = await notificationsOf(server.database.db, bookingIds);
      const ids = rows.map((row) => row.id).sort();
      // Each message is acknowledged right after it is written, so the killed worker may have
      // recorded some; the rest of its batch was taken over after its lease ran out.
      const victimDelivered = deliveredBy(first);
      const victimAcknowledged = acknowledgedBy(first);
      expect(victimDelivered.length).toBeGreaterThanOrEqual(1);
      // Recorded once: the logged acknowledgements of all three workers never name one twice.
      // (The survivors' hold sweeps may have added "hold expired" emails of their own; they count too.)
      const logged = [...victimAcknowledged, ...survivors.flatMap(acknowledgedBy)];
      expect(new Set(logged).size).toBe(logged.length);
      // The kill lands just after the victim's first "delivered" line, while its acknowledgement
      // is on the way: the server may record it before the victim lives to log it. Such a
      // message is one the victim delivered, and at most that one message.
      const recordedUnlogged = ids.filter((id) => !logged.includes(id));
      expect(recordedUnlogged.every((id) => victimDelivered.includes(id))).toBe(true);
      expect(recordedUnlogged.length).toBeLessThanOrEqual(1);
      const acknowledged = [...logged, ...recordedUnlogged];
      expect(acknowledged.filter((id) => ids.includes(id)).sort()).toEqual(ids);
      const victimUnacknowledged = victimDelivered.filter(
        (id) => !victimAcknowledged.includes(id) && !recordedUnlogged.includes(id),
      );
      // Delivered by one survivor each, and the killed worker's unacknowledged ones again.
      const [a, b] = survivors.map(deliveredBy);
      expect(a?.filter((id) => b?.includes(id))).toEqual([]);
      const retried = rows.filter((row) => row.attempts >= 2).map((row) => row.id);
      expect(retried).toEqual(expect.arrayContaining(victimUnacknowledged));
      // On disk: one whole message per notification, and nothing else.
      expect(outboxFiles(outbox)).toEqual([...acknowledged].sort());
      for (const row of rows) {
        const message = await parseMessage(outbox, row.id);
        expect(message.subject).toBe(row.subject);
        expect(message.messageId).toBe(`<${row.id}@ticketing.example>`);
      }
    });

    it("finishes the message in hand on SIGTERM, acknowledges it, and exits 0", async () => {
      await settleOutbox(server.database.db);
      const bookingIds = await confirmedBookings(api, 3);
      const outbox = join(scratch, "sigterm");
      const w = worker([], { WORKER_OUTBOX_DIR: outbox, WORKER_DELIVERY_DELAY_MS: "2500" });
      await w.waitForLog((line) => line.msg === "notifications claimed");
      w.child.kill("SIGTERM");
      expect(await w.exited).toBe(0);

      const messages = w.logs().map((line: LogLine) => line.msg);
      expect(messages).toContain("stopping: finishing the item in hand");
      expect(messages.filter((msg) => msg === "notification delivered")).toHaveLength(1);
      const [delivered] = deliveredBy(w);
      expect(acknowledgedBy(w)).toEqual([delivered]);
      expect(messages.at(-1)).toBe("stopped");
      const rows = await notificationsOf(server.database.db, bookingIds);
      expect(rows.filter((row) => row.delivered_at !== null).map((row) => row.id)).toEqual([delivered]);
      expect(outboxFiles(outbox)).toEqual([delivered]);
    });

    it("uploads a feed: reports each bad row with its reason, imports the rest, and is idempotent", async () => {
      const tag = randomUUID().slice(0, 8);
      const importRuns = () =>
        queryRows<{
          status: string;
          rows: number;
          created: number;
          updated: number;
          failed_count: number;
          role: string;
        }>(
          server.database.db,
          sql`SELECT r.status, r.rows, r.created, r.updated, r.failed_count, u.role
              FROM import_runs r JOIN users u ON u.id = r.owner_id ORDER BY r.created_at, r.id`,
        );
      const csv = join(scratch, `events-${tag}.csv`);
      writeFileSync(
        csv,
        [
          "externalId,name,venue,startsAt,description,status",
          `gala-${tag},Spring Gala,${VENUE},2027-04-01T19:30:00Z,"Two sets,`,
          `one night",on_sale`,
          `local-${tag},Skipped Hour Night,${VENUE},2027-03-14T02:30:00,,`,
          `lost-${tag},Nowhere Show,Nowhere Hall,2027-04-03T19:30:00+02:00,,`,
          "",
          `blank-${tag},,${VENUE},2027-04-04T19:30:00Z,,`,
          `short-${tag},Short Row,${VENUE}`,
          `late-${tag},Late Set,${VENUE.toLowerCase()},2027-04-08T22:00:00-05:00,,`,
        ].join("\n"),
      );
      const runsBefore = await importRuns();
      const first = worker(["import", csv]);
      expect(await first.exited).toBe(2);
      // One upload, recorded with its report, under the service account.
      const runs = (await importRuns()).slice(runsBefore.length);
      expect(runs).toEqual([{ status: "done", rows: 6, created: 2, updated: 0, failed_count: 4, role: "service" }]);
      const failures = [
        `  row 2 (line 4, local-${tag}): startsAt 2027-03-14T02:30:00 does not exist in America/Chicago: the clocks skip it when daylight saving time begins. Give another time, or one with a UTC offset.`,
        `  row 3 (line 5, lost-${tag}): Venue "Nowhere Hall" was not found.`,
        `  row 4 (line 7, blank-${tag}): name is required`,
        `  row 5 (line 8, short-${tag}): has 3 fields; the header has 6`,
      ];
      expect(first.stdout()).toBe(
        [
          `Importing ${csv} (${statSync(csv).size} bytes) into ${server.url}`,
          "Failed rows:",
          ...failures,
          "2 created, 0 updated, 4 failed",
          "",
        ].join("\n"),
      );

      const imported = () =>
        queryRows<{ external_id: string; name: string; description: string; status: string; starts_at: Date }>(
          server.database.db,
          sql`SELECT external_id, name, description, status, starts_at FROM events
              WHERE external_id LIKE ${`%-${tag}`} ORDER BY external_id`,
        );
      const rows = await imported();
      expect(rows.map((row) => [row.external_id, row.name, row.status])).toEqual([
        [`gala-${tag}`, "Spring Gala", "on_sale"],
        [`late-${tag}`, "Late Set", "scheduled"],
      ]);
      expect(rows[0]?.description).toBe("Two sets,\none night");
      expect(new Date(rows[1]?.starts_at ?? 0).toISOString()).toBe("2027-04-09T03:00:00.000Z");

      // Again: the same events, updated in place; the same rows fail for the same reasons.
      const second = worker(["import", csv]);
      expect(await second.exited).toBe(2);
      expect(second.stdout()).toContain(`${failures.join("\n")}\n0 created, 2 updated, 4 failed\n`);
      expect(await imported()).toEqual(rows);

      // A clean JSON feed: one event renamed, one new; every row went in, so exit 0.
      const json = join(scratch, `events-${tag}.json`);
      writeFileSync(
        json,
        JSON.stringify([
          { externalId: `gala-${tag}`, name: "Spring Gala (moved)", venue: VENUE, startsAt: "2027-04-02T19:30:00Z" },
          { externalId: `brunch-${tag}`, name: "Jazz Brunch", venue: VENUE, startsAt: "2027-05-01T11:00:00+01:00" },
        ]),
      );
      const third = worker(["import", json]);
      expect(await third.exited).toBe(0);
      expect(third.stdout()).toContain("1 created, 1 updated, 0 failed");
      expect((await imported()).map((row) => [row.external_id, row.name])).toEqual([
        [`brunch-${tag}`, "Jazz Brunch"],
        [`gala-${tag}`, "Spring Gala (moved)"],
        [`late-${tag}`, "Late Set"],
      ]);
    });
  });
}
