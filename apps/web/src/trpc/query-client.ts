import { defaultShouldDehydrateQuery, QueryCache, QueryClient } from "@tanstack/react-query";
import superjson from "superjson";
import { errorCode } from "@/lib/errors";

/**
 * One QueryClient shape for the server (per request) and the browser (per tab). In the
 * browser, a query that finds the session gone calls `onUnauthorized` (off to sign-in).
 */
export function makeQueryClient(options: { onUnauthorized?: () => void } = {}): QueryClient {
  return new QueryClient({
    queryCache: new QueryCache({
      onError: (error) => {
        if (errorCode(error) === "UNAUTHORIZED") options.onUnauthorized?.();
      },
    }),
    defaultOptions: {
      queries: {
        // Data rendered on the server is fresh on arrival: no refetch straight after hydration.
        staleTime: 30_000,
      },
      dehydrate: {
        serializeData: superjson.serialize,
        shouldDehydrateQuery: (query) => defaultShouldDehydrateQuery(query) || query.state.status === "pending",
      },
      hydrate: {
        deserializeData: superjson.deserialize,
      },
    },
  });
}
