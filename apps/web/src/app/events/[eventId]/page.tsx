import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { EventHero } from "@/components/event-hero";
import { EventView } from "@/components/event-view";
import { errorCode } from "@/lib/errors";
import { isUuid } from "@/lib/ids";
import { myBookingsInput } from "@/lib/my-bookings";
import { pickSection } from "@/lib/sections";
import { getQueryClient, getTRPC, getViewer, Hydrate } from "@/trpc/server";

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
      // Unreachable API: the page still renders, and shows what this browser has cached.
      return null;
    }),
    getViewer().catch(() => null),
  ]);
  // The map opens on one section, so the first HTML carries its seats and nothing more.
  const initialSection = pickSection(event?.sections, typeof section === "string" ? section : undefined);
  await Promise.all([
    initialSection && queryClient.prefetchQuery(trpc.getSeatMap.queryOptions({ eventId, section: initialSection })),
    // A signed-in buyer's own holds are marked on the map: they come from their bookings, the
    // only place that says whose a hold is (the map itself says "held" for everyone).
    viewer && queryClient.prefetchQuery(trpc.listMyBookings.queryOptions(myBookingsInput)),
  ]);
  const initialSeatIds = typeof seats === "string" ? seats.split(",").filter(isUuid).slice(0, 10) : [];

  return (
    <Hydrate>
      {event && <EventHero event={event} />}
      <EventView
        eventId={eventId}
        signedIn={viewer !== null}
        initialSection={initialSection}
        initialSeatIds={initialSeatIds}
      />
    </Hydrate>
  );
}
