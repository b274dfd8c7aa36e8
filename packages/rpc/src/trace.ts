import {
  context,
  defaultTextMapGetter,
  defaultTextMapSetter,
  ROOT_CONTEXT,
  type Context as TraceContext,
  trace,
} from "@opentelemetry/api";
import { W3CTraceContextPropagator } from "@opentelemetry/core";

// W3C trace context is the wire contract, so it is used directly rather than through
// whatever global propagator a process did (or did not) register.
const w3c = new W3CTraceContextPropagator();

/** The trace context a request carries in `traceparent`/`tracestate` (ROOT when none). */
export function extractTraceContext(headers: Record<string, string | string[] | undefined>): TraceContext {
  if (headers.traceparent === undefined) return ROOT_CONTEXT;
  return w3c.extract(ROOT_CONTEXT, headers, defaultTextMapGetter);
}

/** The trace id of a context, for log lines; undefined outside a trace. */
export function traceIdOf(traceContext: TraceContext | undefined): string | undefined {
  const span = traceContext && trace.getSpanContext(traceContext);
  return span?.traceId;
}

/**
 * `traceparent`/`tracestate` headers for an outgoing call: from the given context (a
 * server's incoming one, for a nested hop), else the active one.
 */
export function traceHeaders(traceContext: TraceContext = context.active()): Record<string, string> {
  const carrier: Record<string, string> = {};
  w3c.inject(traceContext, carrier, defaultTextMapSetter);
  return carrier;
}

export type { TraceContext };
