"use client";

import { useCallback, useRef, useState } from "react";

/**
 * Data a page got from its server render and keeps fresh in the browser: what React Query did
 * for these pages, in the little they need (docs/decisions/023-mobile-web.md). Each key holds
 * its last answer and its last error: a failed refresh keeps the data it had, so the page can
 * say it is showing saved data (QueryNotice). Of two loads of one key, only the later one's
 * answer counts.
 */
interface Entry<T> {
  data: T | undefined;
  error: Error | null;
  fetching: boolean;
  updatedAt: number;
}

/** One key's state, in the shape QueryNotice and the components read. */
export interface Remote<T> {
  data: T | undefined;
  error: Error | null;
  isError: boolean;
  isFetching: boolean;
  /** Nothing yet, not even an error: the first load is under way. */
  isPending: boolean;
  dataUpdatedAt: number;
  refetch(): Promise<void>;
}

const settled = <T>(data: T): Entry<T> => ({ data, error: null, fetching: false, updatedAt: Date.now() });

/** Calls fail with TRPCClientError; anything else thrown is wrapped, so `error` is always an Error. */
const asError = (error: unknown): Error => (error instanceof Error ? error : new Error(String(error)));

export function useRemoteData<K extends string, T>(load: (key: K) => Promise<T>, initial: Iterable<readonly [K, T]>) {
  const [entries, setEntries] = useState<ReadonlyMap<K, Entry<T>>>(
    () => new Map([...initial].map(([key, data]) => [key, settled(data)])),
  );
  // The latest load of each key; a key is here once it has data or a load started.
  const generation = useRef<Map<K, number> | null>(null);
  generation.current ??= new Map([...entries.keys()].map((key) => [key, 0]));
  const loadRef = useRef(load);
  loadRef.current = load;

  const patch = useCallback((key: K, change: (entry: Entry<T> | undefined) => Entry<T>) => {
    setEntries((current) => new Map(current).set(key, change(current.get(key))));
  }, []);

  const fetchKey = useCallback(
    async (key: K): Promise<void> => {
      const generations = generation.current ?? new Map<K, number>();
      const mine = (generations.get(key) ?? 0) + 1;
      generations.set(key, mine);
      patch(key, (entry) => ({ data: undefined, error: null, updatedAt: 0, ...entry, fetching: true }));
      try {
        const data = await loadRef.current(key);
        if (generations.get(key) === mine) patch(key, () => settled(data));
      } catch (error) {
        if (generations.get(key) === mine)
          patch(key, (entry) => ({ data: undefined, updatedAt: 0, ...entry, error: asError(error), fetching: false }));
      }
    },
    [patch],
  );

  /** Loads a key unless it has data or a load of it already started. */
  const ensure = useCallback(
    (key: K) => {
      if (!generation.current?.has(key)) void fetchKey(key);
    },
    [fetchKey],
  );

  /** Rewrites every key's data in place (a live change), leaving loads and errors as they are. */
  const updateAll = useCallback((change: (data: T) => T) => {
    setEntries((current) => {
      const next = new Map(current);
      let changed = false;
      for (const [key, entry] of current) {
        if (entry.data === undefined) continue;
        const data = change(entry.data);
        if (data === entry.data) continue;
        next.set(key, { ...entry, data });
        changed = true;
      }
      // Nothing touched: the same state, so nothing re-renders.
      return changed ? next : current;
    });
  }, []);

  /** Sets one key's data as if it had just been loaded. */
  const set = useCallback(
    (key: K, change: (data: T | undefined) => T) => patch(key, (entry) => settled(change(entry?.data))),
    [patch],
  );

  const refetchAll = useCallback(
    () => Promise.all([...(generation.current?.keys() ?? [])].map((key) => fetchKey(key))).then(() => undefined),
    [fetchKey],
  );

  const view = (key: K): Remote<T> => {
    const entry = entries.get(key);
    return {
      data: entry?.data,
      error: entry?.error ?? null,
      isError: entry !== undefined && entry.error !== null,
      isFetching: entry?.fetching ?? false,
      isPending: entry === undefined || (entry.data === undefined && entry.error === null),
      dataUpdatedAt: entry?.updatedAt ?? 0,
      refetch: () => fetchKey(key),
    };
  };

  return { entries, view, fetch: fetchKey, ensure, updateAll, set, refetchAll };
}

/**
 * A call the user starts (Book, Pay, Release): whether it is under way, and how it last
 * failed. `action` does the call and what follows its success; `onError` reacts to a failure
 * (off to sign-in, a refresh), which also stays in `error` for the page to show.
 */
export function useAction<A extends unknown[], R>(
  action: (...args: A) => Promise<R>,
  onError?: (error: unknown) => void,
) {
  const [state, setState] = useState<{ pending: boolean; error: Error | null }>({ pending: false, error: null });
  // A second press while the first call is under way is ignored (state alone would let a
  // double click that lands before the next render through).
  const running = useRef(false);
  const actionRef = useRef({ action, onError });
  actionRef.current = { action, onError };
  const run = useCallback(async (...args: A): Promise<R | undefined> => {
    if (running.current) return undefined;
    running.current = true;
    setState({ pending: true, error: null });
    try {
      const result = await actionRef.current.action(...args);
      setState({ pending: false, error: null });
      return result;
    } catch (error) {
      setState({ pending: false, error: asError(error) });
      actionRef.current.onError?.(error);
      return undefined;
    } finally {
      running.current = false;
    }
  }, []);
  const reset = useCallback(() => setState({ pending: false, error: null }), []);
  return { run, reset, isPending: state.pending, error: state.error };
}
