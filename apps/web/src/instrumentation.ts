/**
 * Next calls `register` once as the server starts. With an OTLP endpoint in the standard
 * OTEL_* variables it starts the OpenTelemetry SDK (see packages/rpc's tracing.ts): Next then
 * records its own spans (each request, each render, each route handler, continuing a
 * `traceparent` the browser sent), and the calls to apps/server made while serving a
 * request — server components' prefetches and the /api/trpc proxy — carry that trace on.
 * Without an endpoint nothing starts. The edge runtime (unused here) is left alone.
 */
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { startTracing } = await import("@ticketing/rpc/tracing");
  const tracing = await startTracing({ serviceName: "ticketing-web" });
  if (!tracing) return;
  console.log(`Exporting traces (${tracing.protocol}) to ${tracing.endpoint}`);
  // Spans still buffered go out when the server is stopped.
  const flush = () => void tracing.shutdown();
  process.once("SIGTERM", flush);
  process.once("SIGINT", flush);
}
