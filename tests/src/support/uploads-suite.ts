import { randomUUID } from "node:crypto";
import type { AppRouter } from "@ticketing/api";
import { createTestApi } from "@ticketing/api/testing";
import type { TestServer } from "@ticketing/server/testing";
import { createTRPCClient, httpLink, httpSubscriptionLink, isNonJsonSerializable, splitLink } from "@trpc/client";
import { EventSource } from "eventsource";
import superjson from "superjson";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { codeOf } from "./client";

type ImportUpdate = { id: string; rows: number; status: string };

/**
 * A client the way an uploading program makes one: the upload (a Blob, not JSON) goes
 * through httpLink as application/octet-stream, with the import id as its Idempotency-Key;
 * progress comes over server-sent events.
 */
function uploadClient(url: string, token: string, importId?: string) {
  const authorization = `Bearer ${token}`;
  return createTRPCClient<AppRouter>({
    links: [
      splitLink({
        condition: (op) => op.type === "subscription",
        true: httpSubscriptionLink({
          url: `${url}/trpc`,
          transformer: superjson,
          EventSource,
          eventSourceOptions: () => ({
            fetch: (input, init) => fetch(input, { ...init, headers: { ...init?.headers, authorization } }),
          }),
        }),
        false: splitLink({
          condition: (op) => isNonJsonSerializable(op.input),
          true: httpLink({
            url: `${url}/trpc`,
            transformer: superjson,
            headers: () => ({ authorization, ...(importId && { "idempotency-key": importId }) }),
          }),
          false: httpLink({ url: `${url}/trpc`, transformer: superjson, headers: () => ({ authorization }) }),
        }),
      }),
    ],
  });
}

const feed = (prefix: string, rows: number) =>
  [
    "externalId,name,venue,startsAt",
    ...Array.from(
      { length: rows },
      (_, i) => `${prefix}-${i + 1},Feed Night ${i + 1},The Lantern Room,2032-0${(i % 9) + 1}-01T20:00:00Z`,
    ),
    `${prefix}-bad,Skipped Hour Night,The Lantern Room,2032-03-14T02:30:00`,
    "",
  ].join("\r\n");

/**
 * Uploads over HTTP: a real server reads the octet stream as it arrives. `start` gives the
 * servers: the upload goes to the first, progress is read from the second (another
 * instance on PostgreSQL; the same one on PGlite, which is one process's database).
 */
export function defineUploadSuite(name: string, start: () => Promise<[TestServer, TestServer]>) {
  describe(`uploads over HTTP (${name})`, () => {
    let servers: [TestServer, TestServer];
    let oliviaToken: string;
    let aliceToken: string;
    beforeAll(async () => {
      servers = await start();
      const api = await createTestApi(servers[0].database);
      oliviaToken = await api.tokenFor("olivia@example.com");
      aliceToken = await api.tokenFor("alice@example.com");
    });
    afterAll(async () => {
      await Promise.all([...new Set(servers)].map((server) => server.close()));
    });

    it("imports a file sent through tRPC's httpLink, and a second upload of it creates nothing", async () => {
      const prefix = `http-${randomUUID().slice(0, 8)}`;
      const file = new Blob([feed(prefix, 3)], { type: "text/csv" });
      const first = await uploadClient(servers[0].url, oliviaToken, randomUUID()).importEvents.mutate(file);
      expect(first).toMatchObject({ status: "done", rows: 4, created: 3, updated: 0, failedCount: 1 });
      expect(first.failed).toEqual([
        {
          row: 4,
          line: 5,
          externalId: `${prefix}-bad`,
          reason:
            "startsAt 2032-03-14T02:30:00 does not exist in America/Chicago: the clocks skip it when daylight saving time begins. Give another time, or one with a UTC offset.",
        },
      ]);
      const again = await uploadClient(servers[0].url, oliviaToken, randomUUID()).importEvents.mutate(file);
      expect(again).toMatchObject({ created: 0, updated: 3, failedCount: 1 });
    });

    it("streams: progress is readable, on another client, before the upload has ended", async () => {
      const importId = randomUUID();
      const prefix = `stream-${randomUUID().slice(0, 8)}`;
      const watcher = uploadClient(servers[1].url, oliviaToken);
      const updates: ImportUpdate[] = [];
      let finished!: () => void;
      const ended = new Promise<void>((resolve) => {
        finished = resolve;
      });
      // Subscribed before the upload starts: it waits for the import to appear.
      const subscription = watcher.onImportProgress.subscribe(
        { importId },
        {
          onData: ({ id, data }) => {
            updates.push({ id, rows: data.rows, status: data.status });
            if (data.status !== "running") finished();
          },
        },
      );

      const encoder = new TextEncoder();
      let push!: ReadableStreamDefaultController<Uint8Array>;
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          push = controller;
        },
      });
      const response = fetch(`${servers[0].url}/trpc/importEvents`, {
        method: "POST",
        headers: {
          "content-type": "application/octet-stream",
          authorization: `Bearer ${oliviaToken}`,
          "idempotency-key": importId,
        },
        body,
        duplex: "half",
      } as RequestInit);
      push.enqueue(encoder.encode("externalId,name,venue,startsAt\n"));
      for (let i = 1; i <= 3; i++) {
        push.enqueue(encoder.encode(`${prefix}-${i},Streamed ${i},The Lantern Room,2032-05-0${i}T20:00:00Z\n`));
      }
      // The body is still open; the rows so far are in, and both readers see them.
      await expect
        .poll(() => updates.some((update) => update.status === "running" && update.rows === 3), { timeout: 15_000 })
        .toBe(true);
      const midway = await watcher.getImport.query({ importId });
      expect(midway).toMatchObject({ status: "running", rows: 3, created: 3 });

      push.enqueue(encoder.encode(`${prefix}-4,Streamed 4,The Lantern Room,2032-05-04T20:00:00Z\n`));
      push.close();
      const answer = await response;
      expect(answer.status).toBe(200);
      const { result } = (await answer.json()) as { result: { data: { json: { rows: number; created: number } } } };
      expect(result.data.json).toMatchObject({ rows: 4, created: 4 });
      await ended;
      subscription.unsubscribe();
      expect(updates.at(-1)).toMatchObject({ rows: 4, status: "done" });
      const ids = updates.map((update) => Number(update.id));
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids).toEqual([...ids].sort((a, b) => a - b));
    });

    it("answers 413 past the upload cap, whether the size is declared or found while streaming", async () => {
      const tooBig = 10 * 1024 * 1024 + 1;
      const declared = await fetch(`${servers[0].url}/trpc/importEvents`, {
        method: "POST",
        headers: {
          "content-type": "application/octet-stream",
          authorization: `Bearer ${oliviaToken}`,
          "idempotency-key": randomUUID(),
        },
        body: new Uint8Array(tooBig),
      });
      expect(declared.status).toBe(413);
      expect(await declared.json()).toMatchObject({
        error: { json: { data: { code: "PAYLOAD_TOO_LARGE" }, message: "Uploads are limited to 10485760 bytes." } },
      });

      // No length up front: one endless quoted field, so no row ends before the cap.
      const importId = randomUUID();
      let sent = 0;
      const chunk = new TextEncoder().encode("x".repeat(64 * 1024));
      const endless = new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(new TextEncoder().encode('externalId,name,venue,startsAt\na,"'));
        },
        pull(controller) {
          if (sent > tooBig + chunk.length) return controller.close();
          sent += chunk.length;
          controller.enqueue(chunk);
        },
      });
      const streamed = await fetch(`${servers[0].url}/trpc/importEvents`, {
        method: "POST",
        headers: {
          "content-type": "application/octet-stream",
          authorization: `Bearer ${oliviaToken}`,
          "idempotency-key": importId,
        },
        body: endless,
        duplex: "half",
      } as RequestInit);
      expect(streamed.status).toBe(413);
      const run = await uploadClient(servers[1].url, oliviaToken).getImport.query({ importId });
      expect(run).toMatchObject({ status: "failed", rows: 0, error: "Uploads are limited to 10485760 bytes." });
    });

    it("refuses customers, and uploads a cross-site page could send", async () => {
      const file = new Blob([feed("customer", 1)]);
      expect(await codeOf(uploadClient(servers[0].url, aliceToken, randomUUID()).importEvents.mutate(file))).toBe(
        "FORBIDDEN",
      );
      const crossSite = await fetch(`${servers[0].url}/trpc/importEvents`, {
        method: "POST",
        headers: {
          "content-type": "application/octet-stream",
          origin: "https://evil.example",
          "sec-fetch-site": "cross-site",
          "idempotency-key": randomUUID(),
        },
        body: feed("evil", 1),
      });
      expect(crossSite.status).toBe(403);
      const asForm = await fetch(`${servers[0].url}/trpc/importEvents`, {
        method: "POST",
        headers: { "content-type": "text/plain", authorization: `Bearer ${oliviaToken}` },
        body: feed("form", 1),
      });
      expect(asForm.status).toBe(415);
    });
  });
}
