// What a feed upload (importEvents) costs: rows per second imported over HTTP, first as
// creates (each new event gets its venue's 208-seat map) and again as updates; then a large
// feed of rows that all fail validation (no database work: the parser's own speed), with the
// server's heap growth beside the file's size, to show the upload is not held in memory.
// Run: node --expose-gc --import tsx bench/src/import-upload.ts   (numbers go to docs/decisions/012-uploads.md)
import { randomUUID } from "node:crypto";
import { createTestApi } from "@ticketing/api/testing";
import { startTestServer } from "@ticketing/server/testing";

const ROWS = Number(process.env.ROWS ?? 300);

async function upload(url: string, token: string, body: Blob) {
  const started = performance.now();
  const response = await fetch(`${url}/trpc/importEvents`, {
    method: "POST",
    headers: {
      "content-type": "application/octet-stream",
      authorization: `Bearer ${token}`,
      "idempotency-key": randomUUID(),
    },
    body,
  });
  const answer = (await response.json()) as { result?: { data: { json: { rows: number; failedCount: number } } } };
  const ms = performance.now() - started;
  if (!answer.result) throw new Error(`upload failed: ${JSON.stringify(answer)}`);
  return { ms, ...answer.result.data.json };
}

const server = await startTestServer();
try {
  const api = await createTestApi(server.database);
  const token = await api.tokenFor("olivia@example.com");
  const tag = randomUUID().slice(0, 8);
  const feed = new Blob([
    [
      "externalId,name,venue,startsAt",
      ...Array.from(
        { length: ROWS },
        (_, i) => `bench-${tag}-${i},Bench Night ${i},The Lantern Room,2033-01-01T20:00:00Z`,
      ),
      "",
    ].join("\n"),
  ]);
  const creates = await upload(server.url, token, feed);
  const updates = await upload(server.url, token, feed);

  const badRow = `bench-bad-${tag},A row with a local time and a long enough name,The Lantern Room,2033-01-01T20:00:00\n`;
  const badRows = Math.floor((9.5 * 1024 * 1024) / badRow.length);
  const bad = new Blob(["externalId,name,venue,startsAt\n", badRow.repeat(badRows)]);
  // Live heap after a collection, sampled while the upload runs (needs --expose-gc).
  const liveHeap = () => {
    global.gc?.();
    return process.memoryUsage().heapUsed;
  };
  const heapBefore = liveHeap();
  let heapPeak = heapBefore;
  const sampler = setInterval(() => {
    heapPeak = Math.max(heapPeak, liveHeap());
  }, 250);
  const rejected = await upload(server.url, token, bad);
  clearInterval(sampler);

  const rate = (rows: number, ms: number) => Math.round((rows / ms) * 1000).toLocaleString("en-US");
  console.log(`| feed | rows | time | rows/s |`);
  console.log(`|---|---|---|---|`);
  console.log(
    `| ${ROWS} new events (208 seats each), PGlite | ${creates.rows} | ${Math.round(creates.ms)} ms | ${rate(creates.rows, creates.ms)} |`,
  );
  console.log(
    `| the same feed again (updates) | ${updates.rows} | ${Math.round(updates.ms)} ms | ${rate(updates.rows, updates.ms)} |`,
  );
  console.log(
    `| ${(bad.size / 1024 / 1024).toFixed(1)} MiB of invalid rows (parsing only) | ${rejected.rows} | ${Math.round(rejected.ms)} ms | ${rate(rejected.rows, rejected.ms)} |`,
  );
  console.log(
    `\nlive heap growth (after GC, sampled every 250 ms) while the server read ${(bad.size / 1024 / 1024).toFixed(1)} MiB: ` +
      `${((heapPeak - heapBefore) / 1024 / 1024).toFixed(1)} MiB peak${global.gc ? "" : " (run with --expose-gc for this figure)"}`,
  );
} finally {
  await server.close();
}
