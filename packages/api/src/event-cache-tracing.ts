import { context, SpanKind, trace } from "@opentelemetry/api";
import type { EventCache } from "./event-cache";

const tracer = trace.getTracer("@ticketing/api");

/**
 * The event reads' cache with a span per read: `cache.hit` says whether the answer came
 * from memory (or a read already in flight); on a miss the load's statements are the span's
 * children. Wraps any EventCache, so the cache itself stays free of tracing. Without an
 * active span (no SDK, or a caller outside any trace) it adds nothing.
 */
export function traceEventCache(cache: EventCache): EventCache {
  return {
    get size() {
      return cache.size;
    },
    get enabled() {
      return cache.enabled;
    },
    setEnabled(enabled) {
      cache.setEnabled(enabled);
    },
    invalidate() {
      trace.getActiveSpan()?.addEvent("event cache invalidated");
      cache.invalidate();
    },
    invalidateEvents(eventIds) {
      cache.invalidateEvents(eventIds);
    },
    async get(key, eventId, load) {
      if (trace.getActiveSpan() === undefined) return cache.get(key, eventId, load);
      const span = tracer.startSpan("event cache get", {
        kind: SpanKind.INTERNAL,
        attributes: { "cache.name": "event reads", "cache.key": key.split(":")[0] ?? key },
      });
      const inSpan = trace.setSpan(context.active(), span);
      let loaded = false;
      try {
        return await cache.get(key, eventId, () => {
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
