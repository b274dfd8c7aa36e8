import type { RouterOutputs } from "@ticketing/api";
import Link from "next/link";
import { formatMoney, statusLabels } from "@/lib/format";
import { EventDate, EventTime } from "./event-time";
import { CalendarIcon, PinIcon } from "./icons";

type EventSummary = RouterOutputs["listEvents"]["items"][number];

/**
 * One event of the list. Nothing in it is interactive but its link: the server renders the
 * first page's cards (app/page.tsx), so the browser neither runs them nor formats their
 * dates while it hydrates; EventBrowser renders the cards of pages it loads itself.
 */
export function EventCard({ event }: { event: EventSummary }) {
  const share = event.counts.total > 0 ? (event.counts.available / event.counts.total) * 100 : 0;
  return (
    <li>
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
          {event.priceFromCents !== null && <span className="price">from {formatMoney(event.priceFromCents)}</span>}
        </div>
      </article>
    </li>
  );
}
