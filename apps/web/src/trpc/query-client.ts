import { type DehydrateOptions, QueryCache, QueryClient } from "@tanstack/react-query";
import superjson from "superjson";
import { errorCode } from "@/lib/errors";

/**
 * One QueryClient shape for the server (per request) and the browser (per tab). In the
 * browser, a query that finds the session gone calls `onUnauthorized` (off to sign-in).
 * Only server components dehydrate, so only they pass `dehydrate` (and the browser's
 * bundle carries none of it).
 */
export function makeQueryClient(
  options: { onUnauthorized?: () => void; dehydrate?: DehydrateOptions } = {},
): QueryClient {
  return new QueryClient({
    queryCache: new QueryCache({
      onError: (error) => {
        if (errorCode(error) === "UNAUTHORIZED") options.onUnauthorized?.();
      },
    }),
    defaultOptions: {
      // React Query retries browser queries itself (its links do not); on the server it does
      // not retry, and the server components' links (packages/rpc) retry what is safe.
      queries: {
        // Data rendered on the server is fresh on arrival: no refetch straight after hydration.
        staleTime: 30_000,
      },
      ...(options.dehydrate && { dehydrate: options.dehydrate }),
      hydrate: {
        deserializeData: superjson.deserialize,
      },
    },
  });
}
