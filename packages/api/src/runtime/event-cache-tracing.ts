import { type Attributes, context, type Span, SpanKind, trace } from "@opentelemetry/api";
import type { EventCache } from "./event-cache";

const tracer = trace.getTracer("@ticketing/api");

/** The event recorded on the caller's span for every read, hit or miss. */
export const CACHE_READ_EVENT = "event cache get";
/** The span of a miss's load: its statements are its children. */
export const CACHE_LOAD_SPAN = "event cache load";

// The key's first segment names the read (`getEvent`, `listEvents`…, the procedure's name);
// the rest identifies an event or a query and stays out of spans. A read's event carries only
// the outcome: the span it is on, the call's, already names the procedure. Attribute objects
// are made once, since a cached read happens thousands of times a second.
const HIT: Attributes = { "cache.hit": true };
const MISS: Attributes = { "cache.hit": false };
const loadAttributes = new Map<string, Attributes>();
function loadAttributesOf(key: string): Attributes {
  const colon = key.indexOf(":");
  const name = colon === -1 ? key : key.slice(0, colon);
  let attributes = loadAttributes.get(name);
  if (!attributes) {
    attributes = { "cache.name": "event reads", "cache.key": name };
    loadAttributes.set(name, attributes);
  }
  return attributes;
}

/**
 * The event reads' cache, traced: each read is an event (`event cache get`, with
 * `cache.hit`) on the caller's span — a hit takes no time worth a span of its own, and at
 * full sampling a span per cached read doubled what a cached getEvent exported. A miss
 * also gets a span, `event cache load`, around the load, so the statements it runs are its
 * children. Wraps any EventCache, so the cache itself stays free of tracing; without a
 * recording span (no SDK, or a caller outside any trace) it adds nothing.
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
    get(key, eventId, load) {
      const active = context.active();
      const caller = trace.getSpan(active);
      if (caller === undefined || !caller.isRecording()) return cache.get(key, eventId, load);
      let loaded = false;
      const read = cache.get(key, eventId, () => {
        loaded = true;
        caller.addEvent(CACHE_READ_EVENT, MISS);
        const span: Span = tracer.startSpan(
          CACHE_LOAD_SPAN,
          { kind: SpanKind.INTERNAL, attributes: loadAttributesOf(key) },
          active,
        );
        return context.with(trace.setSpan(active, span), load).finally(() => span.end());
      });
      // A miss is known at once (the cache calls `load` before its first await). Otherwise
      // the answer comes from memory or from a read already in flight, unless that read
      // fails and this one loads for itself: so a hit is recorded only once answered.
      if (loaded) return read;
      return read.then((value) => {
        if (!loaded) caller.addEvent(CACHE_READ_EVENT, HIT);
        return value;
      });
    },
  };
}
