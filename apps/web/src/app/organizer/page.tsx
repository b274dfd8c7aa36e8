import type { Metadata } from "next";
import Link from "next/link";
import { ChartIcon } from "@/components/icons";
import { formatDateTime, formatMoney, statusLabels } from "@/lib/format";
import { getQueryClient, getTRPC, requireViewer } from "@/trpc/server";

export const metadata: Metadata = { title: "Organizer" };

export default async function OrganizerPage() {
  const viewer = await requireViewer("/organizer");
  if (viewer.role !== "organizer" && viewer.role !== "admin") {
    return (
      <div className="narrow card">
        <h1>Organizer</h1>
        <p className="muted">Only organizers and admins have events to manage. You are signed in as a customer.</p>
        <Link href="/" className="button">
          Browse events
        </Link>
      </div>
    );
  }
  const trpc = await getTRPC();
  const queryClient = getQueryClient();
  const { items } = await queryClient.fetchQuery(trpc.listOrganizedEvents.queryOptions());
  const summaries = await Promise.all(
    items.map((event) => queryClient.fetchQuery(trpc.getSalesSummary.queryOptions({ eventId: event.id }))),
  );
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
          <p>{viewer.role === "admin" ? "Sales across every event." : `Sales for the events ${viewer.name} runs.`}</p>
        </div>
      </div>
      <div className="stats">
        <div className="stat">
          <div className="stat__value">{formatMoney(totals.revenueCents)}</div>
          <div className="stat__label">Revenue</div>
        </div>
        <div className="stat">
          <div className="stat__value">{totals.sold.toLocaleString("en-US")}</div>
          <div className="stat__label">Tickets sold</div>
        </div>
        <div className="stat">
          <div className="stat__value">{totals.held.toLocaleString("en-US")}</div>
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
          <section key={event.id} className="card organizer-event" aria-labelledby={`org-${event.id}`}>
            <header>
              <div>
                <h2 id={`org-${event.id}`}>
                  <Link href={`/events/${event.id}`}>{event.name}</Link>
                </h2>
                <div className="meta">
                  <span>{formatDateTime(event.startsAt)}</span>
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
                    <td className="num">{summary.totals.sold}</td>
                    <td className="num">{summary.totals.held}</td>
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
