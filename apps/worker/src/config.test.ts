import { DEVELOPMENT_WORKER_TOKEN as SERVER_DEVELOPMENT_TOKEN } from "@ticketing/server";
import { describe, expect, it } from "vitest";
import { ConfigError, DEVELOPMENT_WORKER_TOKEN, loadConfig } from "./config";

describe("worker configuration", () => {
  it("works out of the box in development, against the local server", () => {
    const config = loadConfig({});
    expect(config.apiUrls).toEqual(["http://127.0.0.1:4000"]);
    expect(config.workerToken).toBe(DEVELOPMENT_WORKER_TOKEN);
    expect(config.notifications.outboxDir).toMatch(/[/\\]\.data[/\\]outbox$/);
  });

  it("uses the server's development token, so `npm run dev` needs no setup", () => {
    expect(DEVELOPMENT_WORKER_TOKEN).toBe(SERVER_DEVELOPMENT_TOKEN);
  });

  it("takes API_URLS over API_URL, trimmed and without trailing slashes", () => {
    const config = loadConfig({ API_URL: "http://a:1", API_URLS: " http://b:2/ , https://c:3 ," });
    expect(config.apiUrls).toEqual(["http://b:2", "https://c:3"]);
    expect(loadConfig({ API_URL: "http://a:1/" }).apiUrls).toEqual(["http://a:1"]);
  });

  it("names the variable that is wrong", () => {
    expect(() => loadConfig({ API_URL: "ftp://example" })).toThrow(
      new ConfigError("Invalid configuration:\n  API_URL: must be an http:// or https:// URL"),
    );
    expect(() => loadConfig({ API_URLS: "http://ok:1,nope" })).toThrow(
      /API_URLS\.1: must be an http:\/\/ or https:\/\/ URL/,
    );
    expect(() => loadConfig({ NODE_ENV: "production" })).toThrow(/WORKER_TOKEN: is required in production/);
    expect(() => loadConfig({ NODE_ENV: "production", WORKER_TOKEN: DEVELOPMENT_WORKER_TOKEN })).toThrow(
      /WORKER_TOKEN: is required in production/,
    );
    expect(() => loadConfig({ WORKER_TOKEN: "short" })).toThrow(/WORKER_TOKEN: must be at least 16 characters/);
    expect(() => loadConfig({ WORKER_LEASE_SECONDS: "2" })).toThrow(/WORKER_LEASE_SECONDS: must be between 5 and 3600/);
    expect(() => loadConfig({ WORKER_BATCH_SIZE: "many" })).toThrow(/WORKER_BATCH_SIZE: must be a number/);
    expect(() => loadConfig({ WORKER_BACKOFF_BASE_MS: "1000", WORKER_BACKOFF_MAX_MS: "10" })).toThrow(
      /WORKER_BACKOFF_MAX_MS: must be at least WORKER_BACKOFF_BASE_MS/,
    );
  });

  it("is production when the entry point says so and NODE_ENV is unset, refusing a missing or development token", () => {
    for (const env of [{}, { NODE_ENV: "" }, { WORKER_TOKEN: DEVELOPMENT_WORKER_TOKEN }]) {
      expect(() => loadConfig(env, "production")).toThrow(/WORKER_TOKEN: is required in production/);
    }
    expect(loadConfig({ WORKER_TOKEN: "a-production-secret-0123" }, "production").nodeEnv).toBe("production");
    expect(loadConfig({ NODE_ENV: "test" }, "production").workerToken).toBe(DEVELOPMENT_WORKER_TOKEN);
  });

  it("sends over SMTP only when SMTP_URL names an smtp:// or smtps:// server", () => {
    expect(loadConfig({}).notifications.smtpUrl).toBeUndefined();
    expect(loadConfig({ SMTP_URL: "smtps://user:pass@mail.example.com:465" }).notifications.smtpUrl).toBe(
      "smtps://user:pass@mail.example.com:465",
    );
    expect(() => loadConfig({ SMTP_URL: "http://mail.example.com" })).toThrow(
      /SMTP_URL: must be an smtp:\/\/ or smtps:\/\/ URL with a host/,
    );
    expect(() =>
      loadConfig({ WORKER_DELIVERY_RETRY_BASE_SECONDS: "600", WORKER_DELIVERY_RETRY_MAX_SECONDS: "60" }),
    ).toThrow(/WORKER_DELIVERY_RETRY_MAX_SECONDS: must be at least WORKER_DELIVERY_RETRY_BASE_SECONDS/);
  });

  it("treats an empty variable as unset", () => {
    expect(loadConfig({ API_URL: "", WORKER_TOKEN: "" }).apiUrls).toEqual(["http://127.0.0.1:4000"]);
  });
});
