import { EventBrowser } from "@/components/event-browser";
import { listEventsInput, parseEventFilters } from "@/lib/event-filters";
import { getQueryClient, getTRPC, Hydrate } from "@/trpc/server";

export default async function EventsPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[]>>;
}) {
  const filters = parseEventFilters(await searchParams);
  const trpc = await getTRPC();
  await getQueryClient().prefetchInfiniteQuery(
    trpc.listEvents.infiniteQueryOptions(listEventsInput(filters), { getNextPageParam: (page) => page.nextCursor }),
  );
  return (
    <>
      <div className="page-header">
        <div>
          <h1>Live events</h1>
          <p>Concerts, comedy and dance near you. Pick your seats and book in a minute.</p>
        </div>
      </div>
      <Hydrate>
        <EventBrowser initialFilters={filters} />
      </Hydrate>
    </>
  );
}
