import { loggableError } from "@ticketing/db";
import pino from "pino";

/**
 * The one logger: JSON lines in production, readable lines when a person watches (dev).
 * Errors are logged through `loggableError`, so a failed statement's parameters (emails,
 * names) never reach a log line. `destination` is for tests that read the lines.
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
  return destination ? pino(options, destination) : pino(options);
}

export type Logger = pino.Logger;
