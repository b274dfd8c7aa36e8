import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { EventData } from "@/components/event-data";
import { EventHero } from "@/components/event-hero";
import { EventView } from "@/components/event-view";
import { errorCode } from "@/lib/errors";
import { isUuid } from "@/lib/ids";
import { myBookingsInput } from "@/lib/my-bookings";
import { pickSection } from "@/lib/sections";
import { getQueryClient, getTRPC, getViewer } from "@/trpc/server";

type Props = {
  params: Promise<{ eventId: string }>;
  searchParams: Promise<Record<string, string | string[]>>;
};

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { eventId } = await params;
  if (!isUuid(eventId)) return {};
  const trpc = await getTRPC();
  const event = await getQueryClient()
    .fetchQuery(trpc.getEvent.queryOptions({ eventId }))
    .catch(() => null);
  return event ? { title: event.name, description: event.description } : {};
}

export default async function EventPage({ params, searchParams }: Props) {
  const { eventId } = await params;
  if (!isUuid(eventId)) notFound();
  const { seats, section } = await searchParams;
  const trpc = await getTRPC();
  const queryClient = getQueryClient();
  const [event, viewer] = await Promise.all([
    queryClient.fetchQuery(trpc.getEvent.queryOptions({ eventId })).catch((error: unknown) => {
      if (errorCode(error) === "NOT_FOUND") notFound();
      // Unreachable API: the page still renders, and the browser asks again (EventData).
      return null;
    }),
    getViewer().catch(() => null),
  ]);
  // The map opens on one section, so the first HTML carries its seats and nothing more.
  const initialSection = pickSection(event?.sections, typeof section === "string" ? section : undefined);
  // What the islands start from is handed to them as props (no client-side query cache to
  // hydrate): a part that cannot be fetched now is left for the browser to load and explain.
  const [seatMap, bookings] = await Promise.all([
    initialSection
      ? queryClient.fetchQuery(trpc.getSeatMap.queryOptions({ eventId, section: initialSection })).catch(() => null)
      : null,
    // A signed-in buyer's own holds are marked on the map: they come from their bookings, the
    // only place that says whose a hold is (the map itself says "held" for everyone).
    viewer ? queryClient.fetchQuery(trpc.listMyBookings.queryOptions(myBookingsInput)).catch(() => null) : null,
  ]);
  const initialSeatIds = typeof seats === "string" ? seats.split(",").filter(isUuid).slice(0, 10) : [];

  return (
    <EventData eventId={eventId} initial={event}>
      {event && <EventHero event={event} />}
      <EventView
        eventId={eventId}
        signedIn={viewer !== null}
        initialSection={initialSection}
        initialSeatMap={seatMap}
        initialBookings={bookings}
        initialSeatIds={initialSeatIds}
      />
    </EventData>
  );
}
