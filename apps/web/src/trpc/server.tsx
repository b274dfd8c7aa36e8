import "server-only";
import { defaultShouldDehydrateQuery } from "@tanstack/react-query";
import type { AppRouter, RouterOutputs } from "@ticketing/api";
import { createTRPCClient } from "@trpc/client";
import { createTRPCOptionsProxy } from "@trpc/tanstack-react-query";
import { cookies, headers } from "next/headers";
import { redirect } from "next/navigation";
import { cache } from "react";
import superjson from "superjson";
import { apiUrl } from "@/lib/api-url";
import { serverLinks } from "./links";
import { makeQueryClient } from "./query-client";

/** One QueryClient per request: what server components prefetch is hydrated into the page. */
export const getQueryClient = cache(() =>
  makeQueryClient({
    dehydrate: {
      serializeData: superjson.serialize,
      shouldDehydrateQuery: (query) => defaultShouldDehydrateQuery(query) || query.state.status === "pending",
    },
  }),
);

/**
 * How long a page may spend on the API: every call of one render shares this deadline, so
 * the last call of a slow page gets what is left, not a fresh allowance.
 */
const RENDER_BUDGET_MS = 8_000;
const renderDeadline = cache(() => Date.now() + RENDER_BUDGET_MS);

const getClient = cache(async () => {
  const session = (await cookies()).get("session")?.value;
  // Set by server.mjs from the socket (a browser's own X-Forwarded-For never survives it).
  const clientAddress = (await headers()).get("x-forwarded-for") ?? undefined;
  return createTRPCClient<AppRouter>({
    links: serverLinks({ apiUrl: apiUrl(), session, clientAddress, deadline: renderDeadline }),
  });
});

/** The typed options proxy for server components, speaking for the visitor. */
export async function getTRPC() {
  return createTRPCOptionsProxy<AppRouter>({ client: await getClient(), queryClient: getQueryClient });
}

export type Viewer = NonNullable<RouterOutputs["me"]>;

/** Who is looking at the page, or null when signed out. Throws when the API cannot be reached. */
export const getViewer = cache(async (): Promise<Viewer | null> => {
  const trpc = await getTRPC();
  return getQueryClient().fetchQuery(trpc.me.queryOptions());
});

/** For pages that need a signed-in person: anyone else goes to sign-in and comes back here. */
export async function requireViewer(returnTo: string): Promise<Viewer> {
  const viewer = await getViewer();
  if (!viewer) redirect(`/sign-in?next=${encodeURIComponent(returnTo)}`);
  return viewer;
}
