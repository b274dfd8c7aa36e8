import { Writable } from "node:stream";
import { TRPCClientError } from "@trpc/client";
import pino from "pino";
import { describe, expect, it } from "vitest";
import { ApiStatus, ApiUnavailableError, callWithRetry, describeFailure, StopRequested } from "./api-status";

function capturedLogger() {
  const lines: { level: number; msg: string }[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(String(chunk)));
      done();
    },
  });
  return { logger: pino({ level: "info" }, stream), lines };
}

const refused = () => new TRPCClientError("fetch failed");
const notFound = () =>
  TRPCClientError.from({
    error: { message: "Venue nowhere was not found.", code: -32004, data: { code: "NOT_FOUND" } },
  });

describe("describing a failure", () => {
  it("follows the cause chain, each message once", () => {
    const refusedConnect = new Error("connect ECONNREFUSED 127.0.0.1:4000");
    const fetchFailed = new TypeError("fetch failed", { cause: refusedConnect });
    const error = new TRPCClientError("fetch failed", { cause: fetchFailed });
    expect(describeFailure(error)).toBe("fetch failed; connect ECONNREFUSED 127.0.0.1:4000");
    expect(describeFailure("plain")).toBe("plain");
  });
});

describe("the API status", () => {
  it("logs an outage once when it starts and once when it ends", () => {
    const { logger, lines } = capturedLogger();
    const status = new ApiStatus(logger, "http://api");
    status.answered();
    for (let i = 0; i < 5; i++) status.failed(refused());
    expect(status.available).toBe(false);
    status.answered();
    status.answered();
    expect(lines.map((line) => line.msg)).toEqual([
      "API unavailable: backing off and retrying until it answers",
      "API available again",
    ]);
    expect(lines[0]).toMatchObject({ level: 40, api: "http://api", reason: "fetch failed" });
    expect(lines[1]).toMatchObject({ level: 30, failures: 5, api: "http://api" });
  });
});

describe("calls with retry", () => {
  const options = () => {
    const { logger, lines } = capturedLogger();
    return {
      lines,
      status: new ApiStatus(logger, "http://api"),
      apiUrl: "http://api",
      backoff: { baseMs: 1, maxMs: 2 },
      stop: new AbortController().signal,
    };
  };

  it("retries while the API is unavailable, then returns the answer", async () => {
    let calls = 0;
    const result = await callWithRetry(async () => {
      calls += 1;
      if (calls < 4) throw refused();
      return "done";
    }, options());
    expect(result).toBe("done");
    expect(calls).toBe(4);
  });

  it("gives up after the allowed attempts, saying where and why", async () => {
    let calls = 0;
    const failing = callWithRetry(
      async () => {
        calls += 1;
        throw refused();
      },
      { ...options(), maxAttempts: 3 },
    );
    await expect(failing).rejects.toThrow(new ApiUnavailableError("http://api", 3, refused()).message);
    await expect(failing).rejects.toBeInstanceOf(ApiUnavailableError);
    expect(calls).toBe(3);
  });

  it("passes an answer about the request itself straight through, and counts it as the API being up", async () => {
    const opts = options();
    opts.status.failed(refused());
    let calls = 0;
    await expect(
      callWithRetry(async () => {
        calls += 1;
        throw notFound();
      }, opts),
    ).rejects.toThrow("Venue nowhere was not found.");
    expect(calls).toBe(1);
    expect(opts.status.available).toBe(true);
  });

  it("stops waiting when asked to stop", async () => {
    const controller = new AbortController();
    const opts = { ...options(), backoff: { baseMs: 60_000, maxMs: 60_000 }, stop: controller.signal };
    const pending = callWithRetry(async () => {
      throw refused();
    }, opts);
    setTimeout(() => controller.abort(), 10);
    await expect(pending).rejects.toBeInstanceOf(StopRequested);
  });
});
