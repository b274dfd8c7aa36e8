import { type Attributes, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import { type DatabaseHandle, type ListenOptions, listen, type NotificationListener } from "@ticketing/db";
import { type TrackedEnvelope, tracked } from "@trpc/server";
import {
  EVENT_CHANGES_CHANNEL,
  hasUnsequencedChanges,
  readSeatChanges,
  SEAT_CHANGES_CHANNEL,
  type SeatChange,
  type SeatStatus,
  seatChangeBounds,
  sequenceSeatChanges,
} from "../domain/availability";

/** What a subscriber of an event's availability receives. */
export type AvailabilityUpdate =
  | { kind: "seats"; status: SeatStatus; seatIds: string[] }
  /** Changes this subscriber asked to resume from are gone (past retention): reload everything. */
  | { kind: "reset" };

/**
 * One server instance's view of the seat change log: it sequences what this instance wrote,
 * listens for what any instance sequenced (PostgreSQL LISTEN/NOTIFY; PGlite's own, in
 * process), reads each new change once, and hands it to this instance's subscribers.
 */
export interface AvailabilityFeed {
  /** Call after a transaction that logged seat changes has committed. */
  announce(): void;
  /**
   * An event's changes as tracked envelopes (the id is the change's position): those after
   * `lastEventId` first, from the database, then live ones, until `signal` aborts or the
   * feed closes. Without `lastEventId` it starts from now.
   */
  follow(eventId: string, lastEventId: number | undefined, signal: AbortSignal): AsyncGenerator<Tracked>;
  /**
   * Tells `watcher` which events changed (seats, or what the event shows), as this instance
   * learns of it, and whether the feed is listening (told at once, then on every change).
   * Returns a function that stops it.
   */
  watch(watcher: ChangeWatcher): () => void;
  close(): Promise<void>;
}

export interface ChangeWatcher {
  /** These events changed; "all": every event may have (many at once, a venue, or a read that failed). */
  changed(eventIds: readonly string[] | "all"): void;
  /** False: changes may go unheard until it is true again (then "all" should be assumed). */
  listening(on: boolean): void;
}

type Tracked = TrackedEnvelope<AvailabilityUpdate>;

export interface AvailabilityFeedOptions {
  /** How often to look for changes no sequencer got to (their instance died), and catch up. */
  sweepIntervalMs?: number;
  /** Changes read per query. */
  pageSize?: number;
  /** A live subscriber this far behind stops buffering and catches up from the database. */
  maxBuffered?: number;
  /**
   * Under a stream of bookings, how long the sequencer waits after one run before the next
   * (a quiet instance sequences at once). Each run takes a pooled connection and a global
   * lock for four statements; spacing them lets one run cover many bookings.
   */
  sequenceGapMs?: number;
  onError?: (error: unknown, what: string) => void;
  /** Reconnection of the LISTEN connection (its first wait and the longest). */
  listen?: Pick<ListenOptions, "retryDelayMs" | "maxRetryDelayMs">;
}

/**
 * Runs `work` one call at a time; calls made meanwhile fold into one more run after it, which
 * starts `gapMs` after the previous one ended (so under load runs are spaced, not back to back).
 */
function serialized(work: () => Promise<void>, onError: (error: unknown) => void, gapMs = 0): () => Promise<void> {
  let running: Promise<void> | undefined;
  let again = false;
  const run = (): Promise<void> => {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      do {
        again = false;
        try {
          await work();
        } catch (error) {
          onError(error);
        }
        if (again && gapMs > 0) await new Promise((resolve) => setTimeout(resolve, gapMs));
      } while (again);
      running = undefined;
    })();
    return running;
  };
  return run;
}

const tracer = trace.getTracer("@ticketing/api");

/** OpenTelemetry's messaging conventions, for PostgreSQL's NOTIFY as the broker. */
function messagingAttributes(operation: "publish" | "receive"): Attributes {
  return {
    "messaging.system": "postgresql",
    "messaging.destination.name": SEAT_CHANGES_CHANNEL,
    "messaging.operation.type": operation === "publish" ? "send" : "receive",
    "messaging.operation.name": operation === "publish" ? "notify" : "listen",
  };
}

const updateOf = (change: SeatChange): AvailabilityUpdate => ({
  kind: "seats",
  status: change.status,
  seatIds: change.seatIds,
});

export async function startAvailabilityFeed(
  handle: DatabaseHandle,
  options: AvailabilityFeedOptions = {},
): Promise<AvailabilityFeed> {
  const { db } = handle;
  const pageSize = options.pageSize ?? 500;
  const maxBuffered = options.maxBuffered ?? 1_000;
  const onError = options.onError ?? (() => {});
  const listeners = new Map<string, Set<(change: SeatChange) => void>>();
  const watchers = new Set<ChangeWatcher>();
  let listening = false;
  const tellWatchers = (eventIds: readonly string[] | "all") => {
    for (const watcher of watchers) watcher.changed(eventIds);
  };
  const closing = new AbortController();
  let cursor = (await seatChangeBounds(db)).newest ?? 0;
  let announced = cursor;

  const sequence = serialized(
    // The span of the NOTIFY that tells every instance: a child of the call whose commit
    // started this run (runs started meanwhile fold into one), its statements below it.
    () =>
      tracer.startActiveSpan(
        `publish ${SEAT_CHANGES_CHANNEL}`,
        { kind: SpanKind.PRODUCER, attributes: messagingAttributes("publish") },
        async (span) => {
          try {
            const last = await sequenceSeatChanges(db);
            span.setAttribute("ticketing.seat_changes.notified", last !== null);
            if (last !== null) span.setAttribute("ticketing.seat_changes.position", last);
          } catch (error) {
            span.setStatus({ code: SpanStatusCode.ERROR });
            throw error;
          } finally {
            span.end();
          }
        },
      ),
    (error) => onError(error, "sequencing seat changes"),
    options.sequenceGapMs ?? 20,
  );

  // Reads what was sequenced since the cursor, once for the whole instance, and fans it out.
  const pull = serialized(
    async () => {
      if (listeners.size === 0 && watchers.size === 0) {
        // Nobody to tell; a subscriber that arrives reads its own history from the database.
        cursor = Math.max(cursor, announced);
        return;
      }
      for (;;) {
        const changes = await readSeatChanges(db, cursor, { limit: pageSize });
        for (const change of changes) {
          cursor = change.position;
          for (const listener of listeners.get(change.eventId) ?? []) listener(change);
        }
        if (changes.length > 0 && watchers.size > 0) tellWatchers([...new Set(changes.map((c) => c.eventId))]);
        if (changes.length < pageSize) return;
      }
    },
    (error) => {
      // Changes went unread: whatever a watcher keeps may be behind them.
      tellWatchers("all");
      onError(error, "reading seat changes");
    },
  );

  const setListening = (on: boolean) => {
    listening = on;
    for (const watcher of watchers) watcher.listening(on);
  };

  const listener: NotificationListener = await listen(handle, {
    ...options.listen,
    channel: [SEAT_CHANGES_CHANNEL, EVENT_CHANGES_CHANNEL],
    onNotification(payload, channel) {
      if (channel === EVENT_CHANGES_CHANNEL) {
        tellWatchers(payload === "*" ? "all" : payload.split(","));
        return;
      }
      const position = Number(payload);
      if (Number.isSafeInteger(position)) announced = Math.max(announced, position);
      if (listeners.size === 0) {
        void pull();
        return;
      }
      // A notification carries no trace context (its payload is a position): reading and
      // fanning out the changes is a trace of its own, one per notification with subscribers.
      tracer.startActiveSpan(
        `receive ${SEAT_CHANGES_CHANNEL}`,
        { kind: SpanKind.CONSUMER, root: true, attributes: messagingAttributes("receive") },
        (span) => {
          if (Number.isSafeInteger(position)) span.setAttribute("ticketing.seat_changes.position", position);
          span.setAttribute("ticketing.seat_changes.subscribed_events", listeners.size);
          void pull().finally(() => span.end());
        },
      );
    },
    // Notifications sent while the connection was down are lost: catch up from the log.
    onListening: () => {
      setListening(true);
      void pull();
    },
    onConnectionLost: (error) => {
      setListening(false);
      onError(error, "the LISTEN connection dropped; reconnecting");
    },
  });

  const sweep = setInterval(() => {
    void (async () => {
      try {
        if (await hasUnsequencedChanges(db)) await sequence();
      } catch (error) {
        onError(error, "sweeping unsequenced seat changes");
      }
      await pull();
    })();
  }, options.sweepIntervalMs ?? 5_000);
  sweep.unref();

  function subscribe(eventId: string, onChange: (change: SeatChange) => void): () => void {
    let set = listeners.get(eventId);
    if (!set) {
      set = new Set();
      listeners.set(eventId, set);
    }
    set.add(onChange);
    return () => {
      set.delete(onChange);
      if (set.size === 0 && listeners.get(eventId) === set) listeners.delete(eventId);
    };
  }

  async function* follow(eventId: string, lastEventId: number | undefined, signal: AbortSignal) {
    const buffer: SeatChange[] = [];
    let overflowed = false;
    let wake: (() => void) | undefined;
    const unsubscribe = subscribe(eventId, (change) => {
      if (buffer.length >= maxBuffered) overflowed = true;
      else buffer.push(change);
      wake?.();
    });
    const stop = () => wake?.();
    signal.addEventListener("abort", stop);
    closing.signal.addEventListener("abort", stop);
    const stopped = () => signal.aborted || closing.signal.aborted;
    try {
      const bounds = await seatChangeBounds(db, eventId);
      let position = lastEventId ?? bounds.newestOfEvent;
      const missed =
        lastEventId !== undefined &&
        ((bounds.oldest !== null && lastEventId < bounds.oldest - 1) || lastEventId > (bounds.newest ?? 0));
      if (missed) {
        position = bounds.newestOfEvent;
        yield tracked(String(position), { kind: "reset" } as AvailabilityUpdate);
      }
      // History first (and again whenever the live buffer overflowed), then live changes.
      let catchUp = true;
      while (!stopped()) {
        if (catchUp) {
          catchUp = false;
          for (;;) {
            const changes = await readSeatChanges(db, position, { eventId, limit: pageSize });
            for (const change of changes) {
              position = change.position;
              yield tracked(String(position), updateOf(change));
            }
            if (changes.length < pageSize) break;
          }
        }
        const change = buffer.shift();
        if (change) {
          if (change.position > position) {
            position = change.position;
            yield tracked(String(position), updateOf(change));
          }
          continue;
        }
        if (overflowed) {
          overflowed = false;
          catchUp = true;
          continue;
        }
        await new Promise<void>((resolve) => {
          wake = resolve;
          if (buffer.length > 0 || overflowed || stopped()) resolve();
        });
        wake = undefined;
      }
    } finally {
      unsubscribe();
      signal.removeEventListener("abort", stop);
      closing.signal.removeEventListener("abort", stop);
    }
  }

  return {
    announce: () => void sequence(),
    follow,
    watch(watcher) {
      watchers.add(watcher);
      watcher.listening(listening);
      return () => void watchers.delete(watcher);
    },
    async close() {
      clearInterval(sweep);
      closing.abort();
      setListening(false);
      await listener.close();
    },
  };
}

/**
 * Which of several events just had seats change, as one stream (a page watching many events
 * holds one connection, not one per event). Changes of one event that pile up before the
 * reader takes them are told once. It starts from now: a reader that reconnects reloads
 * what it shows rather than resuming.
 */
export async function* followEvents(
  feed: AvailabilityFeed,
  eventIds: readonly string[],
  signal: AbortSignal,
): AsyncGenerator<{ eventId: string }> {
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  signal.addEventListener("abort", onAbort);
  const pending = new Set<string>();
  let wake: (() => void) | undefined;
  let failure: { error: unknown } | undefined;
  let following = eventIds.length;
  for (const eventId of eventIds) {
    void (async () => {
      try {
        for await (const _ of feed.follow(eventId, undefined, stop.signal)) {
          pending.add(eventId);
          wake?.();
        }
      } catch (error) {
        failure ??= { error };
      } finally {
        following -= 1;
        wake?.();
      }
    })();
  }
  try {
    while (!stop.signal.aborted) {
      if (failure) throw failure.error;
      const [next] = pending;
      if (next !== undefined) {
        pending.delete(next);
        yield { eventId: next };
        continue;
      }
      if (following === 0) return;
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
      wake = undefined;
    }
  } finally {
    stop.abort();
    signal.removeEventListener("abort", onAbort);
  }
}
