import { loggableError } from "@ticketing/db";
import pino from "pino";

export interface LoggerOptions {
  level: string;
  /** Readable lines for a person watching (development), JSON lines otherwise. */
  pretty: boolean;
  /** stderr leaves stdout to a command's own report (the import). */
  stream: "stdout" | "stderr";
}

/** The worker's one logger. */
export function createLogger({ level, pretty, stream }: LoggerOptions) {
  const fd = stream === "stdout" ? 1 : 2;
  const redact = { paths: ["*.authorization", "*.token", "workerToken"], remove: true };
  // A failed statement is logged by its SQLSTATE and names, never its parameters.
  const serializers = { err: loggableError };
  if (pretty) {
    return pino({
      level,
      base: { service: "worker" },
      redact,
      serializers,
      transport: {
        target: "pino-pretty",
        options: { colorize: true, translateTime: "HH:MM:ss.l", ignore: "pid,hostname,service", destination: fd },
      },
    });
  }
  return pino({ level, base: { service: "worker" }, redact, serializers }, pino.destination({ dest: fd, sync: true }));
}

export type Logger = pino.Logger;
