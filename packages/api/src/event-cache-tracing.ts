import { context, SpanKind, trace } from "@opentelemetry/api";
import type { EventCache } from "./event-cache";

const tracer = trace.getTracer("@ticketing/api");

/**
 * getEvent's cache with a span per read: `cache.hit` says whether the answer came from
 * memory (or a read already in flight); on a miss the load's statements are the span's
 * children. Wraps any EventCache, so the cache itself stays free of tracing. Without an
 * active span (no SDK, or a caller outside any trace) it adds nothing.
 */
export function traceEventCache(cache: EventCache): EventCache {
  return {
    get size() {
      return cache.size;
    },
    invalidate() {
      trace.getActiveSpan()?.addEvent("event cache invalidated");
      cache.invalidate();
    },
    async get(eventId, load) {
      if (trace.getActiveSpan() === undefined) return cache.get(eventId, load);
      const span = tracer.startSpan("event cache get", {
        kind: SpanKind.INTERNAL,
        attributes: { "cache.name": "getEvent" },
      });
      const inSpan = trace.setSpan(context.active(), span);
      let loaded = false;
      try {
        return await cache.get(eventId, () => {
          loaded = true;
          return context.with(inSpan, load);
        });
      } finally {
        span.setAttribute("cache.hit", !loaded);
        span.end();
      }
    },
  };
}
