"use client";

import { useQueryClient, useSuspenseQueries, useSuspenseQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useEffect } from "react";
import { ChartIcon } from "@/components/icons";
import { formatMoney, statusLabels } from "@/lib/format";
import { useTRPC, useTRPCClient } from "@/trpc/client";
import { EventTime } from "./event-time";

/** Sales of one event are reloaded at most this often while its seats keep changing. */
const REFRESH_MS = 300;

/**
 * Keeps the sales on the page live: the server tells (onSalesChange, one server-sent event
 * stream for all the viewer's events) which event's seats changed, and that event's sales
 * summary is reloaded. When the stream (re)starts, everything is reloaded once, so changes
 * made while it was down are not missed.
 */
function useLiveSales(eventIds: readonly string[]): void {
  const trpc = useTRPC();
  const client = useTRPCClient();
  const queryClient = useQueryClient();
  const watched = eventIds.join(",");

  useEffect(() => {
    // The server picks the viewer's events itself; the list only says whether there are any,
    // and a change of it (an import added one) subscribes again.
    if (!watched) return;
    const timers = new Map<string, ReturnType<typeof setTimeout>>();
    const refresh = (eventId: string) => {
      if (timers.has(eventId)) return;
      timers.set(
        eventId,
        setTimeout(() => {
          timers.delete(eventId);
          void queryClient.invalidateQueries(trpc.getSalesSummary.queryFilter({ eventId }));
        }, REFRESH_MS),
      );
    };
    let started = false;
    const subscription = client.onSalesChange.subscribe(undefined, {
      onStarted: () => {
        if (started) void queryClient.invalidateQueries(trpc.getSalesSummary.queryFilter());
        started = true;
      },
      onData: ({ eventId }) => refresh(eventId),
    });
    return () => {
      for (const timer of timers.values()) clearTimeout(timer);
      subscription.unsubscribe();
    };
  }, [client, queryClient, trpc, watched]);
}

export function OrganizerSales({ isAdmin, name }: { isAdmin: boolean; name: string }) {
  const trpc = useTRPC();
  const { data } = useSuspenseQuery(trpc.listOrganizedEvents.queryOptions());
  const items = data.items;
  const summaries = useSuspenseQueries({
    queries: items.map((event) => trpc.getSalesSummary.queryOptions({ eventId: event.id })),
  }).map((query) => query.data);
  useLiveSales(items.map((event) => event.id));

  const totals = summaries.reduce(
    (sum, summary) => ({
      revenueCents: sum.revenueCents + summary.totals.revenueCents,
      sold: sum.sold + summary.totals.sold,
      held: sum.held + summary.totals.held,
      bookings: sum.bookings + summary.confirmedBookings,
    }),
    { revenueCents: 0, sold: 0, held: 0, bookings: 0 },
  );

  return (
    <>
      <div className="page-header">
        <div>
          <h1>Organizer</h1>
          <p>
            {isAdmin ? "Sales across every event" : `Sales for the events ${name} runs`}, updated live as seats are
            booked.
          </p>
        </div>
      </div>
      <div className="stats" data-testid="sales-totals">
        <div className="stat">
          <div className="stat__value" data-testid="total-revenue">
            {formatMoney(totals.revenueCents)}
          </div>
          <div className="stat__label">Revenue</div>
        </div>
        <div className="stat">
          <div className="stat__value" data-testid="total-sold">
            {totals.sold.toLocaleString("en-US")}
          </div>
          <div className="stat__label">Tickets sold</div>
        </div>
        <div className="stat">
          <div className="stat__value" data-testid="total-held">
            {totals.held.toLocaleString("en-US")}
          </div>
          <div className="stat__label">Seats on hold</div>
        </div>
        <div className="stat">
          <div className="stat__value">{totals.bookings.toLocaleString("en-US")}</div>
          <div className="stat__label">Confirmed bookings</div>
        </div>
      </div>
      {items.length === 0 && (
        <div className="card empty">
          <p>You do not organize any events yet.</p>
        </div>
      )}
      {items.map((event, index) => {
        const summary = summaries[index];
        if (!summary) return null;
        return (
          <section
            key={event.id}
            className="card organizer-event"
            aria-labelledby={`org-${event.id}`}
            data-event-id={event.id}
          >
            <header>
              <div>
                <h2 id={`org-${event.id}`}>
                  <Link href={`/events/${event.id}`}>{event.name}</Link>
                </h2>
                <div className="meta">
                  <span>
                    <EventTime at={event.startsAt} timeZone={event.venue.timeZone} />
                  </span>
                  <span>
                    {event.venue.name}, {event.venue.city}
                  </span>
                </div>
              </div>
              <span className={`badge badge--${event.status}`}>{statusLabels[event.status]}</span>
            </header>
            <div className="table-wrap">
              <table>
                <caption className="visually-hidden">Sales by section for {event.name}</caption>
                <thead>
                  <tr>
                    <th scope="col">
                      <ChartIcon /> Section
                    </th>
                    <th scope="col" className="num">
                      Sold
                    </th>
                    <th scope="col" className="num">
                      Held
                    </th>
                    <th scope="col" className="num">
                      Available
                    </th>
                    <th scope="col" className="num">
                      Revenue
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {summary.sections.map((section) => (
                    <tr key={section.section}>
                      <th scope="row">{section.section}</th>
                      <td className="num">{section.sold}</td>
                      <td className="num">{section.held}</td>
                      <td className="num">{section.available}</td>
                      <td className="num">{formatMoney(section.revenueCents)}</td>
                    </tr>
                  ))}
                </tbody>
                <tfoot>
                  <tr>
                    <th scope="row">Total · {summary.confirmedBookings} confirmed bookings</th>
                    <td className="num" data-testid="event-sold">
                      {summary.totals.sold}
                    </td>
                    <td className="num" data-testid="event-held">
                      {summary.totals.held}
                    </td>
                    <td className="num">{summary.totals.available}</td>
                    <td className="num" data-testid="event-revenue">
                      {formatMoney(summary.totals.revenueCents)}
                    </td>
                  </tr>
                </tfoot>
              </table>
            </div>
          </section>
        );
      })}
    </>
  );
}
