/**
 * The public event reads (getEvent, listEvents, getSeatMap, getAvailableTickets) kept per
 * server process, so a page refreshed by thousands of buyers costs the database nothing
 * until something changes (docs/decisions/016).
 *
 * What makes an entry go:
 * - every mutation of this process empties the cache before its response is sent
 *   (`invalidate`): the instance that acknowledged a write shows it in its next read;
 * - on PostgreSQL, other instances' writes arrive through the change feed
 *   (`invalidateEvents` for seat and event changes, `invalidate` for "anything");
 * - an entry lapses by itself when its answer changes without a write (the earliest live
 *   hold it counts expires, a listed event starts);
 * - a read that overlapped any invalidation is not kept (a generation number), and callers
 *   arriving after an invalidation never join a read that started before it.
 * While the feed is not listening (`setEnabled(false)`) nothing is kept or served from
 * memory: every read goes to the database, so no answer is ever stale without a bound.
 * On PGlite the store is this process's alone (its lock file keeps every other process
 * out, and the worker writes through the API), so mutations alone keep it exact.
 */
export interface EventCache {
  /**
   * The entry under `key`, or what `load` reads (kept if it may be). `eventId`: the event
   * the answer shows; null for a list, which any event's change invalidates.
   */
  get<T>(key: string, eventId: string | null, load: () => Promise<Cached<T>>): Promise<T>;
  /** Forgets everything: after every mutation on this process, and for feed notices of many events. */
  invalidate(): void;
  /** Forgets what these events show, and every list. */
  invalidateEvents(eventIds: Iterable<string>): void;
  /** Off: empties the cache and answers every read from `load`; on: keeps entries again. */
  setEnabled(enabled: boolean): void;
  readonly enabled: boolean;
  readonly size: number;
}

export interface Cached<T> {
  value: T;
  /** When the answer changes by itself (a live hold lapses, an event starts); null: never. */
  changesAt: Date | null;
}

interface Entry {
  value: unknown;
  eventId: string | null;
  expiresAt: number;
}

export function createEventCache(
  options: { maxEntries?: number; now?: () => number; enabled?: boolean } = {},
): EventCache {
  const maxEntries = options.maxEntries ?? 1_000;
  const now = options.now ?? Date.now;
  const entries = new Map<string, Entry>();
  const keysOfEvent = new Map<string, Set<string>>();
  const lists = new Set<string>();
  const loading = new Map<string, { generation: number; promise: Promise<Cached<unknown>> }>();
  let generation = 0;
  let enabled = options.enabled ?? true;

  const remove = (key: string) => {
    const entry = entries.get(key);
    if (!entry) return;
    entries.delete(key);
    if (entry.eventId === null) lists.delete(key);
    else {
      const keys = keysOfEvent.get(entry.eventId);
      keys?.delete(key);
      if (keys?.size === 0) keysOfEvent.delete(entry.eventId);
    }
  };

  const store = (key: string, eventId: string | null, value: unknown, changesAt: Date | null) => {
    remove(key);
    if (entries.size >= maxEntries) {
      const oldest = entries.keys().next().value;
      if (oldest !== undefined) remove(oldest);
    }
    entries.set(key, { value, eventId, expiresAt: changesAt ? changesAt.getTime() : Number.POSITIVE_INFINITY });
    if (eventId === null) lists.add(key);
    else {
      let keys = keysOfEvent.get(eventId);
      if (!keys) {
        keys = new Set();
        keysOfEvent.set(eventId, keys);
      }
      keys.add(key);
    }
  };

  const clear = () => {
    generation++;
    entries.clear();
    keysOfEvent.clear();
    lists.clear();
    loading.clear();
  };

  return {
    get size() {
      return entries.size;
    },
    get enabled() {
      return enabled;
    },
    setEnabled(on) {
      clear();
      enabled = on;
    },
    invalidate: clear,
    invalidateEvents(eventIds) {
      generation++;
      for (const eventId of eventIds) {
        for (const key of [...(keysOfEvent.get(eventId) ?? [])]) remove(key);
      }
      for (const key of [...lists]) remove(key);
      loading.clear();
    },
    async get<T>(key: string, eventId: string | null, load: () => Promise<Cached<T>>): Promise<T> {
      if (!enabled) return (await load()).value;
      const entry = entries.get(key);
      if (entry && entry.expiresAt > now()) return entry.value as T;
      if (entry) remove(key);

      const started = generation;
      const inFlight = loading.get(key);
      if (inFlight && inFlight.generation === started) {
        // Share a read in progress; if it fails (its caller's deadline, say), read for ourselves.
        const shared = await inFlight.promise.catch(() => undefined);
        if (shared) return shared.value as T;
      }
      const promise = load();
      loading.set(key, { generation: started, promise });
      try {
        const loaded = await promise;
        if (generation === started && enabled) store(key, eventId, loaded.value, loaded.changesAt);
        return loaded.value;
      } finally {
        if (loading.get(key)?.promise === promise) loading.delete(key);
      }
    },
  };
}
