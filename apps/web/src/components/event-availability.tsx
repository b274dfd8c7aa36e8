"use client";

import { useQuery } from "@tanstack/react-query";
import { plural, statusLabels } from "@/lib/format";
import { useTRPC } from "@/trpc/client";

/** The event's status and seats left, refetched as the live seat map reports changes. */
export function EventAvailability({ eventId }: { eventId: string }) {
  const trpc = useTRPC();
  const event = useQuery(trpc.getEvent.queryOptions({ eventId }));
  if (!event.data) return null;
  return (
    <div className="event-hero__top">
      <span className={`badge badge--${event.data.status}`}>{statusLabels[event.data.status]}</span>
      <span className="muted">{plural(event.data.counts.available, "seat")} available</span>
    </div>
  );
}
