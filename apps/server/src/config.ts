import { z } from "zod";

/** The development default of WORKER_TOKEN; production refuses to start with it. */
export const DEVELOPMENT_WORKER_TOKEN = "dev-worker-token-change-me";

/** How long after the grace period a shutdown may still take (closing the database). */
export const SHUTDOWN_MARGIN_MS = 5_000;

const port = z.coerce
  .number({ error: "must be a number" })
  .int({ error: "must be a whole number" })
  .min(0, { error: "must be 0–65535" })
  .max(65535, { error: "must be 0–65535" });

const rate = z.coerce
  .number({ error: "must be a number" })
  .min(0, { error: "must be 0 (off) or more" })
  .max(1_000_000, { error: "must be at most 1000000" });

const schema = z
  .object({
    NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
    PORT: port.default(4000),
    HOST: z.string().min(1).default("127.0.0.1"),
    DATABASE_URL: z.string().optional(),
    DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
    WORKER_TOKEN: z.string().min(16, { error: "must be at least 16 characters" }).optional(),
    WEB_ORIGINS: z
      .string()
      .default("http://localhost:3000,http://127.0.0.1:3000")
      .transform((list) =>
        list
          .split(",")
          .map((origin) => origin.trim())
          .filter(Boolean),
      ),
    HOLD_MINUTES: z.coerce.number().int().min(1).max(120).default(10),
    LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
    SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).max(120_000).default(10_000),
    // Rate limits, per server process; 0 turns one off. Bursts may reach twice the rate.
    RATE_LIMIT_ADDRESS_PER_SECOND: rate.default(100),
    RATE_LIMIT_USER_PER_SECOND: rate.default(50),
    SIGN_IN_ATTEMPTS_PER_MINUTE: rate.default(10),
    // "false" sends every tRPC call through tRPC's fetch adapter instead of the direct path.
    // "false" reads every getEvent from the database (the cache only ever runs on PGlite).
    EVENT_CACHE: z.enum(["true", "false"], { error: 'must be "true" or "false"' }).default("true"),
    RPC_DIRECT_PATH: z.enum(["true", "false"], { error: 'must be "true" or "false"' }).default("true"),
  })
  .transform((env, ctx) => {
    if (env.NODE_ENV === "production" && (!env.WORKER_TOKEN || env.WORKER_TOKEN === DEVELOPMENT_WORKER_TOKEN)) {
      ctx.addIssue({
        code: "custom",
        path: ["WORKER_TOKEN"],
        message: "is required in production (a secret of 16+ characters shared with the worker)",
      });
      return z.NEVER;
    }
    return {
      nodeEnv: env.NODE_ENV,
      port: env.PORT,
      host: env.HOST,
      databaseUrl: env.DATABASE_URL,
      databasePoolSize: env.DATABASE_POOL_SIZE,
      workerToken: env.WORKER_TOKEN ?? DEVELOPMENT_WORKER_TOKEN,
      webOrigins: env.WEB_ORIGINS,
      holdMinutes: env.HOLD_MINUTES,
      logLevel: env.LOG_LEVEL,
      shutdownGraceMs: env.SHUTDOWN_GRACE_MS,
      // Past this, a shutdown that is still waiting (a statement, a database that does not
      // answer) gives up: the process logs what it waited for and exits with 1.
      shutdownDeadlineMs: env.SHUTDOWN_GRACE_MS + SHUTDOWN_MARGIN_MS,
      rateLimits: {
        addressPerSecond: env.RATE_LIMIT_ADDRESS_PER_SECOND,
        userPerSecond: env.RATE_LIMIT_USER_PER_SECOND,
        signInPerMinute: env.SIGN_IN_ATTEMPTS_PER_MINUTE,
      },
      secureCookies: env.NODE_ENV === "production",
      directPath: env.RPC_DIRECT_PATH === "true",
      eventCache: env.EVENT_CACHE === "true",
    };
  });

export type Config = z.output<typeof schema>;

export class ConfigError extends Error {
  override name = "ConfigError";
}

/** Reads and checks the environment once at start; a bad value names its variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // An empty variable (FOO=) means "not set", as shells and .env files commonly write it.
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ""));
  const parsed = schema.safeParse(present);
  if (parsed.success) return parsed.data;
  const lines = parsed.error.issues.map((issue) => `  ${issue.path.join(".") || "environment"}: ${issue.message}`);
  throw new ConfigError(`Invalid configuration:\n${lines.join("\n")}`);
}
