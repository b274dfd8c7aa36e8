"use client";

import { useInfiniteQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useEffect, useId, useState } from "react";
import { type EventFilters, type EventStatusFilter, listEventsInput } from "@/lib/event-filters";
import { formatMoney, statusLabels } from "@/lib/format";
import { useTRPC } from "@/trpc/client";
import { EventDate, EventTime } from "./event-time";
import { CalendarIcon, PinIcon, SearchIcon } from "./icons";
import { QueryNotice } from "./query-notice";

function useDebounced<T>(value: T, ms: number): T {
  const [debounced, setDebounced] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setDebounced(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return debounced;
}

export function EventBrowser({ initialFilters }: { initialFilters: EventFilters }) {
  const trpc = useTRPC();
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

  const events = useInfiniteQuery({
    ...trpc.listEvents.infiniteQueryOptions(listEventsInput(filters), {
      getNextPageParam: (page) => page.nextCursor,
    }),
    placeholderData: (previous) => previous,
  });
  const items = events.data?.pages.flatMap((page) => page.items) ?? [];

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
        {events.isSuccess && (items.length === 0 ? "" : `${items.length}${events.hasNextPage ? "+" : ""} events`)}
      </p>
      {events.isSuccess && items.length === 0 ? (
        <div className="card empty">
          <p>No events match {filters.query ? `“${filters.query}”` : "these filters"}.</p>
        </div>
      ) : (
        <ul className="event-grid" aria-busy={events.isFetching}>
          {items.map((event) => {
            const share = event.counts.total > 0 ? (event.counts.available / event.counts.total) * 100 : 0;
            return (
              <li key={event.id}>
                <article className="card event-card">
                  <div className="event-card__date">
                    <EventDate at={event.startsAt} timeZone={event.venue.timeZone} />
                  </div>
                  <h2>
                    <Link href={`/events/${event.id}`}>{event.name}</Link>
                  </h2>
                  <div className="meta">
                    <span>
                      <PinIcon /> {event.venue.name}, {event.venue.city}
                    </span>
                    <span>
                      <CalendarIcon /> <EventTime at={event.startsAt} timeZone={event.venue.timeZone} />
                    </span>
                  </div>
                  <div
                    className="availability"
                    role="img"
                    aria-label={`${event.counts.available} of ${event.counts.total} seats available`}
                  >
                    <span style={{ width: `${share}%` }} />
                  </div>
                  <div className="event-card__footer">
                    <span className={`badge badge--${event.status}`}>{statusLabels[event.status]}</span>
                    {event.priceFromCents !== null && (
                      <span className="price">from {formatMoney(event.priceFromCents)}</span>
                    )}
                  </div>
                </article>
              </li>
            );
          })}
        </ul>
      )}
      {events.hasNextPage && (
        <div className="load-more">
          <button
            type="button"
            className="button button--secondary"
            onClick={() => events.fetchNextPage()}
            disabled={events.isFetchingNextPage}
          >
            {events.isFetchingNextPage ? "Loading…" : "Show more events"}
          </button>
        </div>
      )}
    </section>
  );
}
