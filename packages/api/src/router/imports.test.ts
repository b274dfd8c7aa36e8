import { randomUUID } from "node:crypto";
import { schema as t } from "@ticketing/db";
import { inArray } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ImportRun } from "../schemas/imports";
import { createTestApi, type TestApi } from "../testing";

let api: TestApi;
beforeAll(async () => {
  api = await createTestApi();
});
afterAll(() => api.close());

/**
 * A feed as the octet stream an upload's body arrives as, in small chunks. Clients send a
 * Blob (the input's type); over HTTP the server reads it as this stream, and createCaller
 * hands the input to the parser as it is given.
 */
const asUpload = (stream: ReadableStream<Uint8Array>) => stream as unknown as Blob;

function upload(text: string, chunkSize = 64): Blob {
  const bytes = new TextEncoder().encode(text);
  let offset = 0;
  return asUpload(
    new ReadableStream({
      pull(controller) {
        if (offset >= bytes.length) return controller.close();
        controller.enqueue(bytes.slice(offset, offset + chunkSize));
        offset += chunkSize;
      },
    }),
  );
}

const csvFeed = (prefix: string) =>
  [
    "externalId,name,venue,startsAt,status",
    `${prefix}-1,Upload Night One,The Lantern Room,2031-03-01T19:30:00Z,on_sale`,
    `${prefix}-2,Upload Night Two,The Lantern Room,2031-03-02T19:30:00+01:00,`,
    `${prefix}-3,Upload Night Three,The Lantern Room,2031-03-09T02:30:00,`,
    `${prefix}-4,Nowhere Night,Nowhere Hall,2031-03-04T19:30:00Z,`,
    `${prefix}-5,Too Short`,
    "",
  ].join("\n");

describe("importEvents", () => {
  it("imports good rows and reports each bad one with its row, line and reason", async () => {
    const importId = randomUUID();
    const olivia = await api.as("olivia@example.com", importId);
    const report = await olivia.importEvents(upload(csvFeed("csv-upload")));
    expect(report).toMatchObject({ importId, status: "done", rows: 5, created: 2, updated: 0, failedCount: 3 });
    expect(report.failed).toEqual([
      {
        row: 3,
        line: 4,
        externalId: "csv-upload-3",
        reason:
          "startsAt 2031-03-09T02:30:00 does not exist in America/Chicago: the clocks skip it when daylight saving time begins. Give another time, or one with a UTC offset.",
      },
      { row: 4, line: 5, externalId: "csv-upload-4", reason: 'Venue "Nowhere Hall" was not found.' },
      { row: 5, line: 6, externalId: "csv-upload-5", reason: "has 2 fields; the header has 5" },
    ]);
    const imported = await api.db
      .select({ externalId: t.events.externalId, status: t.events.status, organizerId: t.events.organizerId })
      .from(t.events)
      .where(inArray(t.events.externalId, ["csv-upload-1", "csv-upload-2"]));
    const olivia_ = await api.userByEmail("olivia@example.com");
    expect(imported.sort((a, b) => String(a.externalId).localeCompare(String(b.externalId)))).toEqual([
      { externalId: "csv-upload-1", status: "on_sale", organizerId: olivia_.id },
      { externalId: "csv-upload-2", status: "scheduled", organizerId: olivia_.id },
    ]);
    // The report stays readable by its owner.
    expect(await olivia.getImport({ importId })).toEqual(report);
  });

  it("reads a JSON array feed too", async () => {
    const rows = [
      { externalId: "json-upload-1", name: "JSON Night", venue: "The Lantern Room", startsAt: "2031-05-01T20:00:00Z" },
      42,
    ];
    const report = await (await api.as("admin@example.com", randomUUID())).importEvents(
      upload(JSON.stringify(rows), 7),
    );
    expect(report).toMatchObject({ status: "done", rows: 2, created: 1, failedCount: 1 });
    expect(report.failed).toEqual([{ row: 2, reason: "is 42, not an object" }]);
  });

  it("is safe to replay: the same feed again creates nothing, and the same import id returns its report", async () => {
    const firstId = randomUUID();
    const first = await api.serviceWithKey(firstId).importEvents(upload(csvFeed("replay")));
    expect(first).toMatchObject({ created: 2, updated: 0, failedCount: 3 });

    const secondId = randomUUID();
    const second = await api.serviceWithKey(secondId).importEvents(upload(csvFeed("replay")));
    expect(second).toMatchObject({ importId: secondId, created: 0, updated: 2, failedCount: 3 });

    // A retry of the first upload (same id) is answered from its report, the body unread.
    const retried = await api.serviceWithKey(firstId).importEvents(upload("not even a feed"));
    expect(retried).toEqual(first);
  });

  it("refuses customers, someone else's import id, and an upload without an import id", async () => {
    const alice = await api.as("alice@example.com", randomUUID());
    await expect(alice.importEvents(upload(csvFeed("alice")))).rejects.toMatchObject({
      code: "FORBIDDEN",
      message: "Only organizers, admins and the import service can import events.",
    });
    const importId = randomUUID();
    await api.serviceWithKey(importId).importEvents(upload(csvFeed("taken")));
    const olivia = await api.as("olivia@example.com", importId);
    await expect(olivia.importEvents(upload(csvFeed("taken")))).rejects.toMatchObject({
      code: "CONFLICT",
      message: `Import ${importId} is someone else's; choose a new import id.`,
    });
    await expect(olivia.getImport({ importId })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(api.service.importEvents(upload(csvFeed("keyless")))).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: "importEvents needs an Idempotency-Key header: a UUID that names the import.",
    });
    await expect(olivia.getImport({ importId: randomUUID() })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("answers a second upload of a running import with its declared IMPORT_RUNNING error", async () => {
    const importId = randomUUID();
    const header = new TextEncoder().encode("externalId,name,venue,startsAt\n");
    let finish: () => void = () => {};
    const released = new Promise<void>((resolve) => {
      finish = resolve;
    });
    // The first upload sends its header, then waits: its run stays "running" until released.
    const slow = asUpload(
      new ReadableStream({
        start(controller) {
          controller.enqueue(header);
          void released.then(() => controller.close());
        },
      }),
    );
    const first = api.serviceWithKey(importId).importEvents(slow);
    await expect.poll(async () => (await api.service.getImport({ importId })).status).toBe("running");
    const second = await api
      .serviceWithKey(importId)
      .importEvents(upload(csvFeed("again")))
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    expect(second).toMatchObject({ code: "CONFLICT", message: `Import ${importId} is still running.` });
    expect((second as { cause?: { failure?: unknown } }).cause?.failure).toEqual({
      reason: "IMPORT_RUNNING",
      importId,
    });
    finish();
    await expect(first).resolves.toMatchObject({ created: 0, updated: 0 });
  });

  it("fails a feed it cannot read with BAD_REQUEST, keeping the rows before the fault", async () => {
    const importId = randomUUID();
    const feed = `[{"externalId":"broken-1","name":"Before","venue":"The Lantern Room","startsAt":"2031-06-01T20:00:00Z"}, {"oops"}]`;
    await expect(api.serviceWithKey(importId).importEvents(upload(feed))).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringMatching(
        /^The feed is not valid JSON at row 2: .* The 1 rows before it were imported or reported\.$/,
      ),
    });
    expect(await api.service.getImport({ importId })).toMatchObject({
      status: "failed",
      rows: 1,
      created: 1,
      error: expect.stringMatching(/^The feed is not valid JSON at row 2/),
    });
  });

  it("reports progress while the upload is still arriving, and the report at the end", async () => {
    const importId = randomUUID();
    const encoder = new TextEncoder();
    let push!: ReadableStreamDefaultController<Uint8Array>;
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        push = controller;
      },
    });
    const olivia = await api.as("olivia@example.com", importId);

    const updates: { id: string; rows: number; status: string }[] = [];
    const watcher = await olivia.onImportProgress({ importId });
    const watched = (async () => {
      for await (const envelope of watcher) {
        // In process, the envelopes come as tracked() made them; a client receives { id, data }.
        const [id, run] = envelope as unknown as [string, ImportRun];
        updates.push({ id, rows: run.rows, status: run.status });
      }
    })();

    const result = olivia.importEvents(asUpload(body));
    push.enqueue(encoder.encode("externalId,name,venue,startsAt\n"));
    push.enqueue(encoder.encode("live-1,Live One,The Lantern Room,2031-07-01T20:00:00Z\n"));
    push.enqueue(encoder.encode("live-2,Live Two,The Lantern Room,2031-07-02T20:00:00Z\n"));
    // The upload is still open: its first two rows show up in the stored progress, and
    // reach the subscriber.
    await expect.poll(async () => (await olivia.getImport({ importId })).rows, { timeout: 10_000 }).toBe(2);
    expect((await olivia.getImport({ importId })).status).toBe("running");
    await expect
      .poll(() => updates.some((update) => update.status === "running" && update.rows === 2), { timeout: 10_000 })
      .toBe(true);
    push.enqueue(encoder.encode("live-3,Live Three,The Lantern Room,2031-07-03T20:00:00Z\n"));
    push.close();
    expect(await result).toMatchObject({ status: "done", rows: 3, created: 3 });
    await watched;
    expect(updates.at(-1)).toMatchObject({ rows: 3, status: "done" });
    // Tracked ids only go up.
    const ids = updates.map((update) => Number(update.id));
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
  });
});
