import type { EventDetail } from "./schemas/events";

/**
 * getEvent's results, kept per event for a store that only this process writes (PGlite:
 * its lock file keeps every other process out, and the worker writes through the API).
 * There every change passes through here, so the cache is exact rather than eventually
 * right:
 * - every mutation empties it before its response is sent (`invalidate`), whatever it did;
 * - an entry lapses when the event's earliest live hold expires, since a lapsed hold counts
 *   as available without any write;
 * - a read that overlapped an invalidation is not kept (a generation number), and callers
 *   arriving after an invalidation never join a read that started before it.
 * On PostgreSQL other instances write too, and their notifications can arrive after a
 * client has already read: the server runs without this cache there.
 */
export interface EventCache {
  get(eventId: string, load: () => Promise<CachedEvent>): Promise<EventDetail>;
  /** Forgets everything; called after every mutation on this process. */
  invalidate(): void;
  readonly size: number;
}

export interface CachedEvent {
  event: EventDetail;
  /** When the answer changes by itself (the earliest live hold lapses); null: never. */
  changesAt: Date | null;
}

interface Entry {
  event: EventDetail;
  expiresAt: number;
}

export function createEventCache(options: { maxEntries?: number; now?: () => number } = {}): EventCache {
  const maxEntries = options.maxEntries ?? 1_000;
  const now = options.now ?? Date.now;
  const entries = new Map<string, Entry>();
  const loading = new Map<string, { generation: number; promise: Promise<CachedEvent> }>();
  let generation = 0;

  return {
    get size() {
      return entries.size;
    },
    invalidate() {
      generation++;
      entries.clear();
      loading.clear();
    },
    async get(eventId, load) {
      const entry = entries.get(eventId);
      if (entry && entry.expiresAt > now()) return entry.event;
      if (entry) entries.delete(eventId);

      const started = generation;
      const inFlight = loading.get(eventId);
      if (inFlight && inFlight.generation === started) {
        // Share a read in progress; if it fails (its caller's deadline, say), read for ourselves.
        const shared = await inFlight.promise.catch(() => undefined);
        if (shared) return shared.event;
      }
      const promise = load();
      loading.set(eventId, { generation: started, promise });
      try {
        const loaded = await promise;
        if (generation === started) {
          if (entries.size >= maxEntries) {
            const oldest = entries.keys().next().value;
            if (oldest !== undefined) entries.delete(oldest);
          }
          entries.set(eventId, {
            event: loaded.event,
            expiresAt: loaded.changesAt ? loaded.changesAt.getTime() : Number.POSITIVE_INFINITY,
          });
        }
        return loaded.event;
      } finally {
        if (loading.get(eventId)?.promise === promise) loading.delete(eventId);
      }
    },
  };
}
