import { EventBrowser } from "@/components/event-browser";
import { EventCard } from "@/components/event-card";
import { listEventsInput, parseEventFilters } from "@/lib/event-filters";
import { getQueryClient, getTRPC } from "@/trpc/server";

export default async function EventsPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[]>>;
}) {
  const filters = parseEventFilters(await searchParams);
  const trpc = await getTRPC();
  // Unreachable API: the page still renders, and the browser asks again (EventBrowser).
  const firstPage = await getQueryClient()
    .fetchQuery(trpc.listEvents.queryOptions(listEventsInput(filters)))
    .catch(() => null);
  return (
    <>
      <div className="page-header">
        <div>
          <h1>Live events</h1>
          <p>Concerts, comedy and dance near you. Pick your seats and book in a minute.</p>
        </div>
      </div>
      <EventBrowser
        initialFilters={filters}
        initialPage={
          firstPage && {
            // Rendered here, not in the browser: the cards hold nothing interactive but links.
            cards: firstPage.items.map((event) => <EventCard key={event.id} event={event} />),
            count: firstPage.items.length,
            nextCursor: firstPage.nextCursor,
          }
        }
      />
    </>
  );
}
