import type { AddressInfo } from "node:net";
import { startAvailabilityFeed } from "@ticketing/api";
import { DatabaseLockedError, DatabaseUrlError, migrateDatabase, openDatabase, seedDemo } from "@ticketing/db";
import { createApp } from "./app";
import { ConfigError, loadConfig } from "./config";
import { createLogger } from "./logger";

export interface StartOptions {
  /** Load the demo data (idempotent) after migrating: the development server does. */
  seed: boolean;
  prettyLogs: boolean;
}

/** Configures, migrates, listens, and stops cleanly on SIGTERM/SIGINT. */
export async function startServer(options: StartOptions): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel, options.prettyLogs);
  const database = await openDatabase(config.databaseUrl, {
    poolSize: config.databasePoolSize,
    onPoolError: (error) => logger.warn({ err: error }, "idle database connection failed"),
  });
  await migrateDatabase(database);
  if (options.seed) {
    const added = await seedDemo(database.db);
    if (added.events > 0) logger.info(added, "demo data loaded");
  }
  const availability = await startAvailabilityFeed(database, {
    onError: (error, what) => logger.warn({ err: error }, what),
  });
  const app = createApp({ config, database, logger, availability });
  const stop = (signal: NodeJS.Signals) => {
    const deadlineMs = config.shutdownDeadlineMs;
    logger.info({ signal, deadlineMs }, "shutting down: finishing in-flight calls");
    // Each step of close() waits on something outside this process (a client, a statement,
    // the database); none may hold the process past its deadline.
    const deadline = setTimeout(() => {
      logger.error({ waitingFor: app.pendingWork() }, `shutdown took longer than ${deadlineMs} ms: exiting`);
      process.exit(1);
    }, deadlineMs);
    app.close().then(
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
    if (error instanceof ConfigError || error instanceof DatabaseLockedError || error instanceof DatabaseUrlError) {
      console.error(`server: ${error.message}`);
    } else {
      console.error("server: failed to start", error);
    }
    process.exit(1);
  });
}
