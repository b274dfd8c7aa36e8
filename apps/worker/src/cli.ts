import { openAsBlob } from "node:fs";
import { stat } from "node:fs/promises";
import { basename, extname, resolve } from "node:path";
import { parseArgs } from "node:util";
import { startTracing, type Tracing, TracingConfigError } from "@ticketing/rpc/tracing";
import { ApiStatus, ApiUnavailableError, StopRequested } from "./api-status";
import { createApiClient } from "./client";
import { ConfigError, loadConfig, type WorkerConfig } from "./config";
import { describeFailure, ImportRefused, type ImportReport, importFeed, summarize } from "./jobs/import";
import { createLogger, type Logger } from "./logger";
import { createMailTransport } from "./mail";
import { CredentialsRefused, createRuntime } from "./runtime";
import { runJobsForever, runJobsOnce } from "./worker";

const USAGE = `usage: worker [--once]            run the background jobs (--once: each a single time, then exit)
       worker import <feed.json|feed.csv>   upload a feed; its events are upserted by externalId

Exit codes: 0 done; 1 could not run (configuration, API unreachable, unreadable feed…);
2 (import) some rows failed.`;

/** Exit codes of the import, as docs/goals.md names them. */
export const EXIT = { ok: 0, cannotRun: 1, rowsFailed: 2 } as const;

type Command = { kind: "jobs"; once: boolean } | { kind: "import"; file: string } | { kind: "help" };

export function parseCommand(argv: string[]): Command {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { once: { type: "boolean", default: false }, help: { type: "boolean", short: "h", default: false } },
    allowPositionals: true,
    strict: true,
  });
  if (values.help) return { kind: "help" };
  const [command, ...rest] = positionals;
  if (command === undefined) return { kind: "jobs", once: values.once };
  if (command === "import" && rest.length === 1 && rest[0]) return { kind: "import", file: rest[0] };
  if (command === "import") throw new Error("import takes one feed file");
  throw new Error(`unknown command "${command}"`);
}

/** SIGTERM/SIGINT ask the jobs to finish the item in hand; a second signal stops at once. */
function stopOnSignals(logger: Logger): AbortSignal {
  const controller = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) {
      logger.warn({ signal }, "second stop signal: exiting now");
      process.exit(EXIT.cannotRun);
    }
    logger.info({ signal }, "stopping: finishing the item in hand");
    controller.abort();
  };
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);
  return controller.signal;
}

function setUp(config: WorkerConfig, logger: Logger, maxAttempts: number | undefined) {
  const api = createApiClient({
    urls: config.apiUrls,
    token: config.workerToken,
    timeoutMs: config.requestTimeoutMs,
    onServerChange: (server, healthy) =>
      healthy
        ? logger.info({ server }, "API instance back in rotation")
        : logger.warn({ server }, "API instance out of rotation: failing over to the others"),
  });
  const status = new ApiStatus(logger, config.apiUrls.join(", "));
  const stop = stopOnSignals(logger);
  const mail = createMailTransport(config.notifications);
  return createRuntime({ config, logger, api, status, mail, stop, ...(maxAttempts !== undefined && { maxAttempts }) });
}

async function runJobs(config: WorkerConfig, once: boolean, pretty: boolean): Promise<number> {
  const logger = createLogger({ level: config.logLevel, pretty, stream: "stdout" });
  const runtime = setUp(config, logger, once ? config.retryAttempts : undefined);
  try {
    if (once) await runJobsOnce(runtime);
    else await runJobsForever(runtime);
    logger.info("stopped");
    return EXIT.ok;
  } catch (error) {
    if (error instanceof ApiUnavailableError || error instanceof CredentialsRefused) logger.error(error.message);
    else logger.error({ err: error }, "worker failed");
    return EXIT.cannotRun;
  }
}

/** The feed as a Blob backed by the file: it is read from disk as the upload sends it. */
async function openFeed(path: string): Promise<Blob> {
  const kind = extname(path).toLowerCase();
  if (kind !== ".json" && kind !== ".csv") throw new FeedError(`${basename(path)}: a feed is a .json or .csv file`);
  try {
    // openAsBlob names no cause for a missing file; stat does.
    if (!(await stat(path)).isFile()) throw new FeedError(`${path}: is not a file`);
    return await openAsBlob(path, { type: kind === ".json" ? "application/json" : "text/csv" });
  } catch (error) {
    if (error instanceof FeedError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new FeedError(code === "ENOENT" ? `${path}: no such file` : `${path}: cannot be read (${code})`);
  }
}

/** The feed cannot be opened: nothing is sent. */
class FeedError extends Error {
  override name = "FeedError";
}

async function runImport(config: WorkerConfig, file: string): Promise<number> {
  // stdout carries the report; progress and log lines (an outage, say) go to stderr.
  const logger = createLogger({ level: config.logLevel, pretty: false, stream: "stderr" });
  // npm runs scripts from the package folder; INIT_CWD is where the person typed the command.
  const path = resolve(process.env.INIT_CWD ?? process.cwd(), file);
  let feed: Blob;
  try {
    feed = await openFeed(path);
  } catch (error) {
    if (!(error instanceof FeedError)) throw error;
    console.error(`import: ${error.message}`);
    return EXIT.cannotRun;
  }
  const runtime = setUp(config, logger, config.retryAttempts);
  console.log(`Importing ${path} (${feed.size} bytes) into ${config.apiUrls.join(", ")}`);
  const progress = {
    update: (run: ImportReport) => console.error(`import: ${run.rows} rows read so far: ${summarize(run)}`),
  };

  let report: ImportReport;
  try {
    report = await importFeed(runtime, feed, progress);
  } catch (error) {
    if (error instanceof StopRequested) {
      console.error("import: stopped before the import finished; rows already read went in");
      return EXIT.cannotRun;
    }
    if (
      !(error instanceof ApiUnavailableError || error instanceof CredentialsRefused || error instanceof ImportRefused)
    ) {
      throw error;
    }
    console.error(`import: ${error.message}`);
    return EXIT.cannotRun;
  }

  if (report.failed.length > 0) {
    console.log("Failed rows:");
    for (const failure of report.failed) console.log(`  ${describeFailure(failure)}`);
    const unlisted = report.failedCount - report.failed.length;
    if (unlisted > 0) console.log(`  … and ${unlisted} more`);
  }
  console.log(summarize(report));
  return report.failedCount > 0 ? EXIT.rowsFailed : EXIT.ok;
}

export interface EntryOptions {
  pretty: boolean;
  /** What an unset NODE_ENV means: production for `npm run worker`, development for `npm run dev`. */
  defaultNodeEnv: "development" | "production";
}

/** The worker's command line; resolves with the exit code. */
export async function main(argv: string[], options: EntryOptions): Promise<number> {
  let command: Command;
  try {
    command = parseCommand(argv);
  } catch (error) {
    console.error(`worker: ${(error as Error).message}\n${USAGE}`);
    return EXIT.cannotRun;
  }
  if (command.kind === "help") {
    console.log(USAGE);
    return EXIT.ok;
  }
  let config: WorkerConfig;
  try {
    config = loadConfig(process.env, options.defaultNodeEnv);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(`worker: ${error.message}`);
    return EXIT.cannotRun;
  }
  let tracing: Tracing | undefined;
  try {
    tracing = await startTracing({ serviceName: "ticketing-worker" });
  } catch (error) {
    if (!(error instanceof TracingConfigError)) throw error;
    console.error(`worker: ${error.message}`);
    return EXIT.cannotRun;
  }
  try {
    return command.kind === "import"
      ? await runImport(config, command.file)
      : await runJobs(config, command.once, options.pretty);
  } finally {
    // The last job runs' spans go out before the process exits.
    await tracing?.shutdown();
  }
}

/** Entry points call this: it exits with main's code, and a crash prints one clear line. */
export function run(options: EntryOptions): void {
  main(process.argv.slice(2), options).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error("worker: failed", error);
      process.exit(EXIT.cannotRun);
    },
  );
}
