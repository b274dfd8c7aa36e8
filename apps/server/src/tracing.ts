import { startTracing, type Tracing } from "@ticketing/rpc/tracing";

/**
 * The server's tracing, when the OTEL_* environment asks for it (see packages/rpc's
 * tracing.ts): call spans, and a span per statement through the `pg` instrumentation.
 * Statements outside any traced operation (the availability feed's sweeps every few seconds)
 * are not recorded: each would be a trace of one span.
 */
export function startServerTracing(): Promise<Tracing | undefined> {
  return startTracing({
    serviceName: "ticketing-server",
    instrumentations: async () => {
      const { PgInstrumentation } = await import("@opentelemetry/instrumentation-pg");
      return [new PgInstrumentation({ requireParentSpan: true })];
    },
    preload: ["pg"],
  });
}
