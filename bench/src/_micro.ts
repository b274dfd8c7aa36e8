import { callObserver, createRpcMetrics } from "@ticketing/rpc/server";
import { createLogger } from "@ticketing/server";
import { Registry } from "prom-client";
import { trace, ROOT_CONTEXT } from "@opentelemetry/api";
const metrics = createRpcMetrics(new Registry());
const logger = createLogger("warn", false);
const ctx = { logger, metrics, requestId: "x", traceContext: ROOT_CONTEXT };
const variants = {
  full: callObserver<typeof ctx>({ logger: (c) => c.logger, metrics: (c) => c.metrics, traceContext: (c) => c.traceContext, fields: (c) => ({ requestId: c.requestId }) }),
  noMetrics: callObserver<typeof ctx>({ logger: (c) => c.logger, traceContext: (c) => c.traceContext }),
  nothing: callObserver<typeof ctx>({}),
};
for (let round = 0; round < 3; round++) for (const [name, begin] of Object.entries(variants)) {
  const n = 200_000; const t0 = performance.now();
  for (let i = 0; i < n; i++) begin(ctx, "getEvent", "query")(undefined);
  console.log(name, ((performance.now() - t0) * 1000 / n).toFixed(2), "µs/call");
}
const tr = trace.getTracer("x"); const n = 200_000; const t0 = performance.now();
for (let i = 0; i < n; i++) tr.startSpan("getEvent", {}, ROOT_CONTEXT).end();
console.log("span only", ((performance.now() - t0) * 1000 / n).toFixed(2));
