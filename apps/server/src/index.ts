export { type App, createApp } from "./app";
export { type Config, ConfigError, DEVELOPMENT_WORKER_TOKEN, loadConfig, SHUTDOWN_MARGIN_MS } from "./config";
export { createLogger, type Logger } from "./logger";
export { startServerTracing } from "./tracing";
