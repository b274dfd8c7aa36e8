import type { AppRouter } from "@ticketing/api";
import type { TRPCClient } from "@trpc/client";

/** The browser's typed client of the router: every input and output inferred from AppRouter. */
export type BrowserClient = TRPCClient<AppRouter>;

let client: Promise<BrowserClient> | undefined;

/**
 * The browser's tRPC client, loaded on first use. Pages render from data their server
 * components fetched and passed down as props, so first paint needs no client at all: tRPC's
 * client, its links and superjson (~20 kB gzip) arrive when a page first calls the API (a
 * click, a section switch) or when it opens its live stream after first paint.
 * docs/decisions/023-mobile-web.md
 */
export function rpc(): Promise<BrowserClient> {
  client ??= import("./browser-client").then(({ createBrowserClient }) => createBrowserClient());
  // A chunk that failed to load (offline for a moment) is tried again on the next call.
  client.catch(() => {
    client = undefined;
  });
  return client;
}
