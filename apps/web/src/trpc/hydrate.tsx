import "server-only";
import { dehydrate, HydrationBoundary } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { getQueryClient } from "./server";

/**
 * Hands everything prefetched so far to the client components below (the organizer page,
 * the one that keeps React Query). Its own module, not server.tsx: the layout's header
 * imports server.tsx, and a server module that merely imports HydrationBoundary (a client
 * component) puts it, with React Query's provider, into the first load of every page.
 */
export function Hydrate({ children }: { children: ReactNode }) {
  return <HydrationBoundary state={dehydrate(getQueryClient())}>{children}</HydrationBoundary>;
}
