import type { AddressInfo } from "node:net";
import { startAvailabilityFeed } from "@ticketing/api";
import {
  DatabaseLockedError,
  DatabaseUrlError,
  ensureServiceAccount,
  findPublicPasswordAccounts,
  migrateDatabase,
  openDatabase,
  seedDemo,
} from "@ticketing/db";
import { TracingConfigError } from "@ticketing/rpc/tracing";
import { createApp } from "./app";
import { ConfigError, loadConfig } from "./config";
import { createLogger } from "./logger";
import { startServerTracing } from "./tracing";

export interface StartOptions {
  /** What an unset NODE_ENV means: production for `npm run server`, development for `npm run dev`. */
  defaultNodeEnv: "development" | "production";
  /** Load the demo data (idempotent) after migrating: the development server does. */
  seed: boolean;
  prettyLogs: boolean;
}

/** Configures, migrates, listens, and stops cleanly on SIGTERM/SIGINT. */
async function startServer(options: StartOptions): Promise<void> {
  const config = loadConfig(process.env, options.defaultNodeEnv);
  const logger = createLogger(config.logLevel, options.prettyLogs);
  // First, so that every statement from here on can be traced.
  const tracing = await startServerTracing();
  if (tracing) logger.info({ protocol: tracing.protocol, endpoint: tracing.endpoint }, "exporting traces");
  const database = await openDatabase(config.databaseUrl, {
    poolSize: config.databasePoolSize,
    onPoolError: (error) => logger.warn({ err: error }, "idle database connection failed"),
    traceStatements: tracing !== undefined,
  });
  await migrateDatabase(database);
  await ensureServiceAccount(database.db);
  if (options.seed) {
    const added = await seedDemo(database.db);
    if (added.events > 0) logger.info(added, "demo data loaded");
  }
  const exposed = await findPublicPasswordAccounts(database.db);
  if (exposed.length > 0) {
    logger.warn(
      { accounts: exposed },
      `demo accounts with the public demo password: ${exposed.join(", ")}. Anyone can sign in as them; ` +
        "outside a demo, run on a database without `npm run db:seed`",
    );
  }
  const availability = await startAvailabilityFeed(database, {
    onError: (error, what) => logger.warn({ err: error }, what),
  });
  const app = createApp({ config, database, logger, availability, tracing: tracing !== undefined });
  const stop = (signal: NodeJS.Signals) => {
    const deadlineMs = config.shutdownDeadlineMs;
    logger.info({ signal, deadlineMs }, "shutting down: finishing in-flight calls");
    // Each step of close() waits on something outside this process (a client, a statement,
    // the database); none may hold the process past its deadline.
    const deadline = setTimeout(() => {
      logger.error({ waitingFor: app.pendingWork() }, `shutdown took longer than ${deadlineMs} ms: exiting`);
      process.exit(1);
    }, deadlineMs);
    app
      .close()
      // Spans still buffered go out before the process ends.
      .then(() => tracing?.shutdown())
      .then(
        () => {
          clearTimeout(deadline);
          logger.info("stopped");
          process.exit(0);
        },
        (error: unknown) => {
          clearTimeout(deadline);
          logger.error({ err: error }, "shutdown failed");
          process.exit(1);
        },
      );
  };
  // Before "server listening" is logged: a supervisor may signal as soon as it reads that
  // line, and a signal with no handler yet would kill the process where it stands.
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
  await new Promise<void>((resolve, reject) => {
    app.server.once("error", reject);
    app.server.listen(config.port, config.host, () => resolve());
  });
  const { port } = app.server.address() as AddressInfo;
  logger.info({ url: `http://${config.host}:${port}`, store: database.description }, "server listening");
}

/** Entry points call this: a configuration mistake prints one clear line, not a stack. */
export function run(options: StartOptions): void {
  startServer(options).catch((error: unknown) => {
    if (
      error instanceof ConfigError ||
      error instanceof DatabaseLockedError ||
      error instanceof DatabaseUrlError ||
      error instanceof TracingConfigError
    ) {
      console.error(`server: ${error.message}`);
    } else {
      console.error("server: failed to start", error);
    }
    process.exit(1);
  });
}
