import pino from "pino";

/** The one logger: JSON lines in production, readable lines when a person watches (dev). */
export function createLogger(level: string, pretty: boolean) {
  return pino({
    level,
    base: { service: "server" },
    redact: { paths: ["req.headers.authorization", "req.headers.cookie", "*.password", "*.token"], remove: true },
    ...(pretty && {
      transport: {
        target: "pino-pretty",
        options: { colorize: true, translateTime: "HH:MM:ss.l", ignore: "pid,hostname,service" },
      },
    }),
  });
}

export type Logger = pino.Logger;
