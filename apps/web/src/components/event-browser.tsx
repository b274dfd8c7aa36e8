"use client";

import type { RouterOutputs } from "@ticketing/api";
import { Fragment, type ReactNode, useCallback, useEffect, useId, useState } from "react";
import { describeError } from "@/lib/errors";
import { type EventFilters, type EventStatusFilter, listEventsInput } from "@/lib/event-filters";
import { statusLabels } from "@/lib/format";
import { useAction, useRemoteData } from "@/lib/remote-data";
import { rpc } from "@/trpc/browser";
import { EventCard } from "./event-card";
import { SearchIcon } from "./icons";
import { QueryNotice } from "./query-notice";

function useDebounced<T>(value: T, ms: number): T {
  const [debounced, setDebounced] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setDebounced(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return debounced;
}

type EventPage = RouterOutputs["listEvents"];

/**
 * The first page as the server rendered it: its cards (server components, so hydration runs
 * no card and formats no date), how many there are and where the next page starts.
 */
export interface RenderedPage {
  cards: ReactNode;
  count: number;
  nextCursor: string | null;
}

/** The list's pages so far, for one set of filters: the server's first, or pages the browser loaded. */
interface Listing {
  pages: (EventPage | RenderedPage)[];
}

const countOf = (page: EventPage | RenderedPage) => ("cards" in page ? page.count : page.items.length);

/** One cache key per set of filters: the order of the input's fields is fixed by listEventsInput. */
const keyOf = (filters: EventFilters) => JSON.stringify(listEventsInput(filters));

/**
 * The events list: its first page comes from the server render (props); a change of filters
 * or "Show more" goes through the tRPC client, which loads on first use.
 */
export function EventBrowser({
  initialFilters,
  initialPage,
}: {
  initialFilters: EventFilters;
  initialPage: RenderedPage | null;
}) {
  const searchId = useId();
  const statusId = useId();
  const [query, setQuery] = useState(initialFilters.query);
  const [status, setStatus] = useState<EventStatusFilter | undefined>(initialFilters.status);
  const filters = { query: useDebounced(query.trim(), 250), status };

  // The URL mirrors the filters, so a reload or a shared link shows the same list.
  useEffect(() => {
    const params = new URLSearchParams();
    if (filters.query) params.set("q", filters.query);
    if (filters.status) params.set("status", filters.status);
    const search = params.toString();
    window.history.replaceState(null, "", search ? `/?${search}` : "/");
  }, [filters.query, filters.status]);

  const key = keyOf(filters);
  const loadFirst = useCallback(async (forKey: string): Promise<Listing> => {
    const input = JSON.parse(forKey) as ReturnType<typeof listEventsInput>;
    return { pages: [await (await rpc()).listEvents.query(input)] };
  }, []);
  const listings = useRemoteData<string, Listing>(
    loadFirst,
    initialPage ? [[keyOf(initialFilters), { pages: [initialPage] }]] : [],
  );
  const { ensure, set } = listings;
  useEffect(() => ensure(key), [ensure, key]);
  const events = listings.view(key);
  // While other filters load, the list shows what it showed last, so it does not blank out.
  const [shown, setShown] = useState<Listing>(() => ({ pages: initialPage ? [initialPage] : [] }));
  useEffect(() => {
    if (events.data) setShown(events.data);
  }, [events.data]);
  const listing = events.data ?? shown;
  const count = listing.pages.reduce((sum, page) => sum + countOf(page), 0);
  const nextCursor = listing.pages.at(-1)?.nextCursor ?? null;
  const more = useAction(async (cursor: string) => {
    const page = await (await rpc()).listEvents.query({ ...listEventsInput(filters), cursor });
    set(key, (current) => ({ pages: [...(current?.pages ?? []), page] }));
  });

  return (
    <section aria-labelledby="results-heading">
      <search>
        <form className="filters" onSubmit={(event) => event.preventDefault()}>
          <div className="field">
            <label htmlFor={searchId}>Search events</label>
            <div className="input-with-icon">
              <SearchIcon />
              <input
                id={searchId}
                className="input"
                type="search"
                name="q"
                placeholder="Artist, venue or city"
                value={query}
                maxLength={100}
                onChange={(event) => setQuery(event.target.value)}
              />
            </div>
          </div>
          <div className="field">
            <label htmlFor={statusId}>Status</label>
            <select
              id={statusId}
              className="select"
              name="status"
              value={status ?? ""}
              onChange={(event) => setStatus((event.target.value || undefined) as EventStatusFilter | undefined)}
            >
              <option value="">All upcoming</option>
              {(Object.keys(statusLabels) as EventStatusFilter[]).map((value) => (
                <option key={value} value={value}>
                  {statusLabels[value]}
                </option>
              ))}
            </select>
          </div>
        </form>
      </search>

      <QueryNotice query={events} what="events" />

      <h2 id="results-heading" className="visually-hidden">
        Results
      </h2>
      <p className="muted" aria-live="polite">
        {events.data && (count === 0 ? "" : `${count}${nextCursor ? "+" : ""} events`)}
      </p>
      {events.data && count === 0 ? (
        <div className="card empty">
          <p>No events match {filters.query ? `“${filters.query}”` : "these filters"}.</p>
        </div>
      ) : (
        <ul className="event-grid" aria-busy={events.isFetching}>
          {listing.pages.map((page, index) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: pages are only ever appended, so a page keeps its index
            <Fragment key={index}>
              {"cards" in page ? page.cards : page.items.map((event) => <EventCard key={event.id} event={event} />)}
            </Fragment>
          ))}
        </ul>
      )}
      {nextCursor && (
        <div className="load-more">
          <button
            type="button"
            className="button button--secondary"
            onClick={() => void more.run(nextCursor)}
            disabled={more.isPending}
          >
            {more.isPending ? "Loading…" : "Show more events"}
          </button>
          {more.error && (
            <p className="field__error" role="alert">
              {describeError(more.error)}
            </p>
          )}
        </div>
      )}
    </section>
  );
}
