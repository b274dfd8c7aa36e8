import {
  type Attributes,
  context,
  type Span,
  SpanKind,
  SpanStatusCode,
  type Context as TraceContext,
  trace,
} from "@opentelemetry/api";
import { initTRPC, type TRPCError } from "@trpc/server";
import { getHTTPStatusCodeFromError } from "@trpc/server/http";
import type { ProcedureType } from "@trpc/server/unstable-core-do-not-import";
import { Counter, Histogram, type Registry } from "prom-client";

/** What a call log line needs of a logger; pino's Logger fits. */
export interface CallLogger {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
  /** Whether a line at this level would be written; without it, every line is built. */
  isLevelEnabled?(level: "info" | "error"): boolean;
}

export interface RpcMetrics {
  calls: Counter<"procedure" | "type" | "code">;
  duration: Histogram<"procedure" | "type">;
  rejected: Counter<"reason">;
}

/** Seconds; dense below 50 ms, where a healthy call lands. */
const DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/** Per-procedure call counters and latency histograms, registered in the given registry. */
export function createRpcMetrics(registry: Registry): RpcMetrics {
  return {
    calls: new Counter({
      name: "rpc_calls_total",
      help: "Procedure calls, by outcome (OK or the error code).",
      labelNames: ["procedure", "type", "code"],
      registers: [registry],
    }),
    duration: new Histogram({
      name: "rpc_call_duration_seconds",
      help: "Time from the call reaching its procedure to its outcome.",
      labelNames: ["procedure", "type"],
      buckets: DURATION_BUCKETS,
      registers: [registry],
    }),
    rejected: new Counter({
      name: "rpc_http_rejections_total",
      help: "HTTP requests refused before any procedure ran (body too large, rate limit, CSRF, bad deadline).",
      labelNames: ["reason"],
      registers: [registry],
    }),
  };
}

export interface ObserveOptions<TCtx> {
  /** Where the call's line goes (the app's logger, usually carried on ctx); none → no line. */
  logger?: (ctx: TCtx) => CallLogger | undefined;
  metrics?: (ctx: TCtx) => RpcMetrics | undefined;
  /** Fields that identify the call in its log line: request id, trace id. Never secrets. */
  fields?: (ctx: TCtx) => Record<string, unknown>;
  /** The caller's W3C trace context, so the call's span continues the caller's trace. */
  traceContext?: (ctx: TCtx) => TraceContext | undefined;
}

const tracer = trace.getTracer("@ticketing/rpc");

/**
 * Span attributes of a call, after OpenTelemetry's RPC conventions (`rpc.system` names the
 * framework; tRPC is not among the conventions' listed values, which allow others), with
 * the tRPC outcome under `rpc.trpc.*` as gRPC's is under `rpc.grpc.*`.
 */
export const RPC_ATTRIBUTES = {
  system: "rpc.system",
  method: "rpc.method",
  procedureType: "rpc.trpc.procedure_type",
  code: "rpc.trpc.code",
  httpStatus: "http.response.status_code",
  errorType: "error.type",
} as const;

// A call span's starting attributes, made once per procedure (a router's procedures are a
// fixed set: a call reaches this only once its path names one): the SDK copies them into
// each span it records, so one object serves every call of a procedure.
const startAttributes: Record<ProcedureType, Map<string, Attributes>> = {
  query: new Map(),
  mutation: new Map(),
  subscription: new Map(),
};
function startAttributesOf(path: string, type: ProcedureType): Attributes {
  const ofType = startAttributes[type];
  let attributes = ofType.get(path);
  if (!attributes) {
    attributes = Object.freeze({
      [RPC_ATTRIBUTES.system]: "trpc",
      [RPC_ATTRIBUTES.method]: path,
      [RPC_ATTRIBUTES.procedureType]: type,
    });
    ofType.set(path, attributes);
  }
  return attributes;
}

/** Ends an observed call with its outcome: undefined for success, else the call's error. */
export type EndCall = (error: TRPCError | undefined) => void;

/** A call being observed: run its work in `traceContext` (so nested spans are its children), then `end` it. */
export interface ObservedCall {
  /** The caller's context with the call's span in it. */
  traceContext: TraceContext;
  end: EndCall;
}

/**
 * A call's server span, started in its caller's trace, and the context to run the call in
 * (so that statements, cache reads and nested calls become its children). Without an SDK the
 * API's no-op tracer answers, for the cost of a few function calls.
 */
export function startCallSpan(parent: TraceContext, path: string, type: ProcedureType) {
  const span = tracer.startSpan(path, { kind: SpanKind.SERVER, attributes: startAttributesOf(path, type) }, parent);
  return { span, traceContext: trace.setSpan(parent, span) };
}

/** Ends a call's span with its outcome: the tRPC code and the HTTP status it is answered with. */
export function endCallSpan(span: Span, error: TRPCError | undefined, status: number): void {
  if (span.isRecording()) {
    const code = error ? error.code : "OK";
    span.setAttribute(RPC_ATTRIBUTES.code, code);
    span.setAttribute(RPC_ATTRIBUTES.httpStatus, status);
    if (error) span.setAttribute(RPC_ATTRIBUTES.errorType, code);
    // A server span fails only for the server's own faults; a caller's mistake (4xx) is an
    // outcome, as in the HTTP server conventions.
    if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR, message: code });
  }
  span.end();
}

/**
 * What `observe` does, as a function: `begin` is called as the call reaches its procedure,
 * and `end` once the outcome is known. For hosts that fold observation into a middleware of
 * their own (every middleware level costs a copy of the call's options).
 */
export function callObserver<TCtx extends object>(options: ObserveOptions<TCtx>) {
  return function begin(ctx: TCtx, path: string, type: ProcedureType): ObservedCall {
    const logger = options.logger?.(ctx);
    const metrics = options.metrics?.(ctx);
    const started = performance.now();
    const { span, traceContext } = startCallSpan(options.traceContext?.(ctx) ?? context.active(), path, type);
    return {
      traceContext,
      end(error) {
        const seconds = (performance.now() - started) / 1000;
        const code = error ? error.code : "OK";
        const status = error ? getHTTPStatusCodeFromError(error) : 200;
        metrics?.calls.inc({ procedure: path, type, code });
        metrics?.duration.observe({ procedure: path, type }, seconds);
        endCallSpan(span, error, status);
        if (!logger) return;
        const level = status >= 500 ? "error" : "info";
        // A line the logger would drop is not built (pino answers isLevelEnabled).
        if (logger.isLevelEnabled && !logger.isLevelEnabled(level)) return;
        const line = {
          ...options.fields?.(ctx),
          procedure: path,
          type,
          code,
          status,
          ms: Math.round(seconds * 10_000) / 10,
        };
        if (level === "error") logger.error({ ...line, err: error?.cause ?? error }, "call failed");
        else logger.info(line, "call");
      },
    };
  };
}

/**
 * One structured log line, one counter and one latency sample per call, and a span in the
 * caller's trace (recorded when the app installs an OpenTelemetry SDK; a no-op otherwise).
 * Inputs and outputs are never logged: they may carry passwords, tokens or personal data.
 */
export function observe<TCtx extends object>(options: ObserveOptions<TCtx>) {
  const t = initTRPC.context<TCtx>().create();
  const begin = callObserver(options);
  return t.procedure.use(async ({ ctx, path, type, next }) => {
    const call = begin(ctx as unknown as TCtx, path, type);
    const result = await context.with(call.traceContext, next);
    call.end(result.ok ? undefined : result.error);
    return result;
  });
}
