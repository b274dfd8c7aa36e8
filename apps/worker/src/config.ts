import { join } from "node:path";
import { dataDir } from "@ticketing/db/paths";
import { z } from "zod";

/**
 * The server's development default of WORKER_TOKEN (DEVELOPMENT_WORKER_TOKEN in
 * @ticketing/server; a test keeps the two equal). Copied, not imported: importing the
 * server package would bundle the server into the worker.
 */
export const DEVELOPMENT_WORKER_TOKEN = "dev-worker-token-change-me";

const whole = (min: number, max: number) =>
  z.coerce
    .number({ error: "must be a number" })
    .int({ error: "must be a whole number" })
    .min(min, { error: `must be between ${min} and ${max}` })
    .max(max, { error: `must be between ${min} and ${max}` });

const httpUrl = z
  .string()
  .trim()
  .refine((value) => URL.canParse(value) && /^https?:$/.test(new URL(value).protocol), {
    error: "must be an http:// or https:// URL",
  })
  .transform((value) => value.replace(/\/+$/, ""));

const smtpUrl = z
  .string()
  .trim()
  .refine((value) => URL.canParse(value) && /^smtps?:$/.test(new URL(value).protocol) && new URL(value).hostname, {
    error: "must be an smtp:// or smtps:// URL with a host (smtp://user:pass@host:587)",
  });

const schema = z
  .object({
    NODE_ENV: z.enum(["development", "production", "test"]),
    API_URL: httpUrl.optional(),
    API_URLS: z
      .string()
      .transform((list) =>
        list
          .split(",")
          .map((url) => url.trim())
          .filter(Boolean),
      )
      .pipe(z.array(httpUrl).min(1, { error: "must list at least one URL" }))
      .optional(),
    WORKER_TOKEN: z.string().min(16, { error: "must be at least 16 characters" }).optional(),
    LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
    WORKER_HOLD_SWEEP_INTERVAL_MS: whole(10, 3_600_000).default(15_000),
    WORKER_HOLD_SWEEP_LIMIT: whole(1, 1000).default(100),
    WORKER_POLL_INTERVAL_MS: whole(10, 3_600_000).default(2_000),
    WORKER_IDEMPOTENCY_SWEEP_INTERVAL_MS: whole(10, 86_400_000).default(600_000),
    WORKER_IDEMPOTENCY_SWEEP_LIMIT: whole(1, 10_000).default(1000),
    WORKER_BATCH_SIZE: whole(1, 100).default(10),
    WORKER_LEASE_SECONDS: whole(5, 3600).default(60),
    WORKER_REQUEST_TIMEOUT_MS: whole(100, 120_000).default(15_000),
    WORKER_BACKOFF_BASE_MS: whole(1, 60_000).default(500),
    WORKER_BACKOFF_MAX_MS: whole(1, 600_000).default(10_000),
    WORKER_RETRY_ATTEMPTS: whole(1, 100).default(6),
    WORKER_OUTBOX_DIR: z.string().min(1).optional(),
    WORKER_MAIL_FROM: z.string().min(3).default("Ticketing <tickets@ticketing.example>"),
    SMTP_URL: smtpUrl.optional(),
    WORKER_SMTP_TIMEOUT_MS: whole(100, 300_000).default(30_000),
    WORKER_DELIVERY_RETRY_BASE_SECONDS: whole(1, 86_400).default(60),
    WORKER_DELIVERY_RETRY_MAX_SECONDS: whole(1, 86_400).default(3_600),
    WORKER_DELIVERY_MAX_ATTEMPTS: whole(1, 100).default(10),
    // A pause before each delivery, like a slow mail relay: lets tests stop a worker mid-batch.
    WORKER_DELIVERY_DELAY_MS: whole(0, 600_000).default(0),
  })
  .transform((env, ctx) => {
    if (env.NODE_ENV === "production" && (!env.WORKER_TOKEN || env.WORKER_TOKEN === DEVELOPMENT_WORKER_TOKEN)) {
      ctx.addIssue({
        code: "custom",
        path: ["WORKER_TOKEN"],
        message:
          "is required in production, which `npm run worker` is unless NODE_ENV says otherwise: " +
          "set the secret the server was started with (the development default is refused)",
      });
      return z.NEVER;
    }
    if (env.WORKER_BACKOFF_MAX_MS < env.WORKER_BACKOFF_BASE_MS) {
      ctx.addIssue({
        code: "custom",
        path: ["WORKER_BACKOFF_MAX_MS"],
        message: "must be at least WORKER_BACKOFF_BASE_MS",
      });
      return z.NEVER;
    }
    if (env.WORKER_DELIVERY_RETRY_MAX_SECONDS < env.WORKER_DELIVERY_RETRY_BASE_SECONDS) {
      ctx.addIssue({
        code: "custom",
        path: ["WORKER_DELIVERY_RETRY_MAX_SECONDS"],
        message: "must be at least WORKER_DELIVERY_RETRY_BASE_SECONDS",
      });
      return z.NEVER;
    }
    return {
      nodeEnv: env.NODE_ENV,
      apiUrls: env.API_URLS ?? [env.API_URL ?? "http://127.0.0.1:4000"],
      workerToken: env.WORKER_TOKEN ?? DEVELOPMENT_WORKER_TOKEN,
      logLevel: env.LOG_LEVEL,
      holdSweep: { intervalMs: env.WORKER_HOLD_SWEEP_INTERVAL_MS, limit: env.WORKER_HOLD_SWEEP_LIMIT },
      idempotencySweep: {
        intervalMs: env.WORKER_IDEMPOTENCY_SWEEP_INTERVAL_MS,
        limit: env.WORKER_IDEMPOTENCY_SWEEP_LIMIT,
      },
      notifications: {
        pollIntervalMs: env.WORKER_POLL_INTERVAL_MS,
        batchSize: env.WORKER_BATCH_SIZE,
        leaseSeconds: env.WORKER_LEASE_SECONDS,
        outboxDir: env.WORKER_OUTBOX_DIR ?? join(dataDir(), "outbox"),
        mailFrom: env.WORKER_MAIL_FROM,
        deliveryDelayMs: env.WORKER_DELIVERY_DELAY_MS,
        /** Unset: each message is written to `outboxDir` (development); set: sent over SMTP. */
        smtpUrl: env.SMTP_URL,
        smtpTimeoutMs: env.WORKER_SMTP_TIMEOUT_MS,
        retry: {
          baseSeconds: env.WORKER_DELIVERY_RETRY_BASE_SECONDS,
          maxSeconds: env.WORKER_DELIVERY_RETRY_MAX_SECONDS,
          maxAttempts: env.WORKER_DELIVERY_MAX_ATTEMPTS,
        },
      },
      requestTimeoutMs: env.WORKER_REQUEST_TIMEOUT_MS,
      backoff: { baseMs: env.WORKER_BACKOFF_BASE_MS, maxMs: env.WORKER_BACKOFF_MAX_MS },
      retryAttempts: env.WORKER_RETRY_ATTEMPTS,
    };
  });

export type WorkerConfig = z.output<typeof schema>;

export class ConfigError extends Error {
  override name = "ConfigError";
}

/**
 * Reads and checks the environment once at start; a bad value names its variable.
 * `defaultNodeEnv` is what an unset NODE_ENV means: the production entry point
 * (`npm run worker`) passes "production", so only `npm run dev` and tests get development
 * defaults such as the built-in worker token.
 */
export function loadConfig(
  env: NodeJS.ProcessEnv = process.env,
  defaultNodeEnv: "development" | "production" = "development",
): WorkerConfig {
  // An empty variable (FOO=) means "not set", as shells and .env files commonly write it.
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ""));
  const parsed = schema.safeParse({ NODE_ENV: defaultNodeEnv, ...present });
  if (parsed.success) return parsed.data;
  const lines = parsed.error.issues.map((issue) => `  ${issue.path.join(".") || "environment"}: ${issue.message}`);
  throw new ConfigError(`Invalid configuration:\n${lines.join("\n")}`);
}
