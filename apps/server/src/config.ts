import { type TrustedProxies, trustedProxies } from "@ticketing/host";
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
    NODE_ENV: z.enum(["development", "production", "test"]),
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
    // Rate limits; 0 turns one off. Each allows a burst (twice the rate; a minute's worth of
    // attempts) per burst/rate seconds (docs/decisions/017-fleet-limits-and-client-addresses.md),
    // shared by every instance through REDIS_URL when it is set, else per process.
    RATE_LIMIT_ADDRESS_PER_SECOND: rate.default(100),
    RATE_LIMIT_USER_PER_SECOND: rate.default(50),
    SIGN_IN_ATTEMPTS_PER_MINUTE: rate.default(10),
    SIGN_UP_ATTEMPTS_PER_MINUTE: rate.default(10),
    REDIS_URL: z.url({ protocol: /^rediss?$/, error: "must be a redis:// or rediss:// URL" }).optional(),
    // Keeps the keys of deployments (or test runs) that share one Redis apart.
    RATE_LIMIT_KEY_PREFIX: z
      .string()
      .regex(/^[A-Za-z0-9:._-]{1,64}$/, { error: "must be 1–64 letters, digits or :._-" })
      .default("ticketing:rl"),
    // Peers whose X-Forwarded-For names the client: addresses, CIDRs, or "none".
    TRUSTED_PROXIES: z
      .string()
      .default("loopback")
      .transform((list, ctx): TrustedProxies => {
        const entries = list
          .split(",")
          .map((entry) => entry.trim())
          .filter(Boolean);
        if (entries.length === 1 && entries[0] === "none") return () => false;
        try {
          return trustedProxies(entries);
        } catch (error) {
          ctx.addIssue({
            code: "custom",
            message: `${error instanceof Error ? error.message : String(error)} (give addresses or CIDRs, comma-separated, or "none")`,
          });
          return z.NEVER;
        }
      }),
    // "false" answers every event read (getEvent, listEvents, getSeatMap, getAvailableTickets)
    // from the database; "true" keeps them per process, invalidated by writes (docs/decisions/016).
    EVENT_CACHE: z.enum(["true", "false"], { error: 'must be "true" or "false"' }).default("true"),
    // "false" sends every tRPC call through tRPC's fetch adapter instead of the direct path.
    RPC_DIRECT_PATH: z.enum(["true", "false"], { error: 'must be "true" or "false"' }).default("true"),
  })
  .transform((env, ctx) => {
    if (env.NODE_ENV === "production" && (!env.WORKER_TOKEN || env.WORKER_TOKEN === DEVELOPMENT_WORKER_TOKEN)) {
      ctx.addIssue({
        code: "custom",
        path: ["WORKER_TOKEN"],
        message:
          "is required in production, which `npm run server` is unless NODE_ENV says otherwise: " +
          "set a secret of 16+ characters, shared with the worker (the development default is refused)",
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
        signUpPerMinute: env.SIGN_UP_ATTEMPTS_PER_MINUTE,
        redisUrl: env.REDIS_URL,
        keyPrefix: env.RATE_LIMIT_KEY_PREFIX,
      },
      trustedProxies: env.TRUSTED_PROXIES,
      secureCookies: env.NODE_ENV === "production",
      directPath: env.RPC_DIRECT_PATH === "true",
      eventCache: env.EVENT_CACHE === "true",
    };
  });

export type Config = z.output<typeof schema>;

export class ConfigError extends Error {
  override name = "ConfigError";
}

/**
 * Reads and checks the environment once at start; a bad value names its variable.
 * `defaultNodeEnv` is what an unset NODE_ENV means: the production entry point
 * (`npm run server`) passes "production", so only `npm run dev` and tests get development
 * defaults such as the built-in worker token.
 */
export function loadConfig(
  env: NodeJS.ProcessEnv = process.env,
  defaultNodeEnv: "development" | "production" = "development",
): Config {
  // An empty variable (FOO=) means "not set", as shells and .env files commonly write it.
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ""));
  const parsed = schema.safeParse({ NODE_ENV: defaultNodeEnv, ...present });
  if (parsed.success) return parsed.data;
  const lines = parsed.error.issues.map((issue) => `  ${issue.path.join(".") || "environment"}: ${issue.message}`);
  throw new ConfigError(`Invalid configuration:\n${lines.join("\n")}`);
}
