// @ticketing/rpc/tracing: the OpenTelemetry SDK for traces, for any process of the platform
// (server, worker, web). Like the package it knows nothing of tickets (no @ticketing/* import),
// and it loads the SDK's modules only when tracing is on.
import { createRequire } from "node:module";
import type { Instrumentation } from "@opentelemetry/instrumentation";

/**
 * Starts the OpenTelemetry SDK for traces when, and only when, the standard environment
 * asks for an export: `OTEL_EXPORTER_OTLP_ENDPOINT` or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`.
 * Everything else is the SDK's own reading of the standard variables:
 * `OTEL_EXPORTER_OTLP_(TRACES_)PROTOCOL` (`http/protobuf`, the default, or `http/json`),
 * `OTEL_SERVICE_NAME`, `OTEL_RESOURCE_ATTRIBUTES`, `OTEL_TRACES_SAMPLER(_ARG)`,
 * `OTEL_EXPORTER_OTLP_HEADERS`, `OTEL_BSP_*`. `OTEL_SDK_DISABLED=true` or
 * `OTEL_TRACES_EXPORTER=none` keep it off.
 *
 * Off, no SDK module is even loaded and nothing is registered: the API's no-op tracer
 * answers every span for the cost of a function call, and no context manager runs.
 */

export class TracingConfigError extends Error {
  override name = "TracingConfigError";
}

export interface TracingOptions {
  /** `service.name` when `OTEL_SERVICE_NAME` (or the resource attributes) name none. */
  serviceName: string;
  /**
   * Library instrumentations to enable, such as the `pg` driver's: made only when tracing
   * starts, so that without it their modules are not loaded either.
   */
  instrumentations?: () => Promise<Instrumentation[]>;
  /**
   * npm modules to load through `require` once the instrumentations are hooked. An ESM
   * bundle imports a CommonJS module (like `pg`) without passing through `require`, where
   * the instrumentations hook in; requiring it here patches the one shared module object,
   * whichever way the rest of the program imported it.
   */
  preload?: string[];
}

export interface Tracing {
  protocol: Protocol;
  /** Where spans go (for a log line; any password in the URL is masked). */
  endpoint: string;
  /** Exports what is still buffered, then stops; call before the process exits. */
  shutdown(): Promise<void>;
}

const PROTOCOLS = ["http/protobuf", "http/json"] as const;
type Protocol = (typeof PROTOCOLS)[number];

function setting(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const value = env[name]?.trim();
  return value ? value : undefined;
}

/** Whether the environment asks for traces to be exported. */
export function tracingRequested(env: NodeJS.ProcessEnv = process.env): boolean {
  if (setting(env, "OTEL_SDK_DISABLED")?.toLowerCase() === "true") return false;
  if (setting(env, "OTEL_TRACES_EXPORTER")?.toLowerCase() === "none") return false;
  return (
    setting(env, "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") !== undefined ||
    setting(env, "OTEL_EXPORTER_OTLP_ENDPOINT") !== undefined
  );
}

/** The traces URL the exporter posts to, as the OTLP exporter specification derives it. */
function endpointOf(env: NodeJS.ProcessEnv): string {
  const specific = setting(env, "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT");
  const url = specific ?? `${setting(env, "OTEL_EXPORTER_OTLP_ENDPOINT")?.replace(/\/+$/, "")}/v1/traces`;
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    return url;
  }
}

function protocolOf(env: NodeJS.ProcessEnv): Protocol {
  const name = setting(env, "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL")
    ? "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL"
    : "OTEL_EXPORTER_OTLP_PROTOCOL";
  const value = setting(env, name) ?? "http/protobuf";
  if ((PROTOCOLS as readonly string[]).includes(value)) return value as Protocol;
  throw new TracingConfigError(
    `${name}=${value} is not supported: use http/protobuf (the default) or http/json (gRPC collectors accept both on port 4318).`,
  );
}

/**
 * Starts tracing if the environment asks for it (see above); undefined when it does not.
 * Call it first thing in a process, before the modules it instruments are used.
 */
export async function startTracing(options: TracingOptions): Promise<Tracing | undefined> {
  // The exporters and the provider read process.env themselves: so does this.
  const env = process.env;
  if (!tracingRequested(env)) return undefined;
  const protocol = protocolOf(env);
  const [{ NodeTracerProvider, BatchSpanProcessor }, resources, { ATTR_SERVICE_NAME }, { registerInstrumentations }] =
    await Promise.all([
      import("@opentelemetry/sdk-trace-node"),
      import("@opentelemetry/resources"),
      import("@opentelemetry/semantic-conventions"),
      import("@opentelemetry/instrumentation"),
    ]);
  const exporter =
    protocol === "http/json"
      ? new (await import("@opentelemetry/exporter-trace-otlp-http")).OTLPTraceExporter()
      : new (await import("@opentelemetry/exporter-trace-otlp-proto")).OTLPTraceExporter();
  // The service's own name first, so that OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES override it.
  const resource = resources
    .resourceFromAttributes({ [ATTR_SERVICE_NAME]: options.serviceName })
    .merge(resources.detectResources({ detectors: [resources.envDetector] }));
  const provider = new NodeTracerProvider({ resource, spanProcessors: [new BatchSpanProcessor(exporter)] });
  // The global W3C propagator and an AsyncLocalStorage context manager.
  provider.register();
  const instrumentations = (await options.instrumentations?.()) ?? [];
  const unregister = registerInstrumentations({ tracerProvider: provider, instrumentations });
  const require = createRequire(import.meta.url);
  for (const name of options.preload ?? []) require(name);
  return {
    protocol,
    endpoint: endpointOf(env),
    async shutdown() {
      unregister();
      await provider.shutdown();
    },
  };
}
