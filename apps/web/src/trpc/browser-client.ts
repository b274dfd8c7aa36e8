import type { AppRouter } from "@ticketing/api";
import { createTRPCClient } from "@trpc/client";
import type { BrowserClient } from "./browser";
import { browserLinks } from "./links";

/** Loaded on demand by `rpc()` (./browser.ts), so it stays out of every page's first load. */
export function createBrowserClient(): BrowserClient {
  return createTRPCClient<AppRouter>({ links: browserLinks() });
}
