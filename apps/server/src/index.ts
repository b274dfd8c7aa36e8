/**
 * @ticketing/server: the process that serves @ticketing/api. node:http with /trpc (and its
 * direct path), public REST under /api/v1, /health, /ready and /metrics; per instance, the
 * availability feed and the event cache; config, logs and tracing. main.ts is what runs; this
 * index, ./testing and ./contract are for the tests, the bench and the contract check.
 *
 * It reads @ticketing/api through its entry points only (".", "./schemas"), never its files,
 * and holds no procedure or domain rule of its own; it imports nothing of apps/web or
 * apps/worker.
 */
export { type App, createApp } from "./app";
export { type Config, ConfigError, DEVELOPMENT_WORKER_TOKEN, loadConfig, SHUTDOWN_MARGIN_MS } from "./config";
export { createLogger, type Logger } from "./logger";
export { startServerTracing } from "./tracing";
