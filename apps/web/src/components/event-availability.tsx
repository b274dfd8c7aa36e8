"use client";

import { plural, statusLabels } from "@/lib/format";
import { useEvent } from "./event-data";

/** The event's status and seats left, refreshed as the live seat map reports changes. */
export function EventAvailability() {
  const event = useEvent();
  if (!event.data) return null;
  return (
    <div className="event-hero__top">
      <span className={`badge badge--${event.data.status}`}>{statusLabels[event.data.status]}</span>
      <span className="muted">{plural(event.data.counts.available, "seat")} available</span>
    </div>
  );
}
