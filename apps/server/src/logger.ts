import { loggableError } from "@ticketing/db";
import pino from "pino";

/**
 * The one logger: JSON lines in production, readable lines when a person watches (dev).
 * Errors are logged through `loggableError`, so a failed statement's parameters (emails,
 * names) never reach a log line. `destination` is for tests that read the lines.
 *
 * Lines are written to stdout synchronously. pino's default asynchronous destination
 * flushes what is left at process exit in a loop that retries every error every 100 ms, so
 * a server whose stdout reader had gone (EPIPE) never finished exiting. A synchronous
 * write that fails with EPIPE just turns logging off.
 */
export function createLogger(level: string, pretty: boolean, destination?: pino.DestinationStream) {
  const options: pino.LoggerOptions = {
    level,
    base: { service: "server" },
    redact: { paths: ["req.headers.authorization", "req.headers.cookie", "*.password", "*.token"], remove: true },
    serializers: { err: loggableError },
    ...(pretty && {
      transport: {
        target: "pino-pretty",
        options: { colorize: true, translateTime: "HH:MM:ss.l", ignore: "pid,hostname,service" },
      },
    }),
  };
  if (pretty) return pino(options);
  return pino(options, destination ?? pino.destination({ dest: 1, sync: true }));
}

export type Logger = pino.Logger;
