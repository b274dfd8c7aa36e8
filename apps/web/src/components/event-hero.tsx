import type { RouterOutputs } from "@ticketing/api";
import { EventAvailability } from "./event-availability";
import { EventTime } from "./event-time";
import { CalendarIcon, PinIcon } from "./icons";

type Event = RouterOutputs["getEvent"];

/**
 * What the page says about the event, rendered on the server: nothing here is interactive,
 * so none of it is hydrated. Only the status and the count of seats left change while the
 * page is open (EventAvailability).
 */
export function EventHero({ event }: { event: Event }) {
  return (
    <section className="event-hero" aria-labelledby="event-title">
      <EventAvailability />
      <h1 id="event-title">{event.name}</h1>
      <div className="meta">
        <span>
          <CalendarIcon /> <EventTime at={event.startsAt} timeZone={event.venue.timeZone} />
        </span>
        <span>
          <PinIcon /> {event.venue.name}, {event.venue.city}
        </span>
      </div>
      <p className="event-hero__description">{event.description}</p>
    </section>
  );
}
