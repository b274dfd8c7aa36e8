import type { AppRouter } from "@ticketing/api";
import { httpBatchLink, httpBatchStreamLink, httpLink, splitLink, type TRPCLink } from "@trpc/client";
import superjson from "superjson";

// Every link of the web app lives here, so the client links of packages/rpc (retries,
// deadlines, automatic keys) can replace them in one place.

/** What a component may attach to one call: the key of the user's intent, sent as Idempotency-Key. */
export interface CallContext extends Record<string, unknown> {
  idempotencyKey?: string;
}

/** A fresh key for one user intent (a Book click sequence, one form submission). */
export function newIdempotencyKey(): string {
  return crypto.randomUUID();
}

/**
 * The browser's links, same-origin through /api/trpc: queries are batched and streamed,
 * mutations go one per request so each can carry its own Idempotency-Key header.
 */
export function browserLinks(): TRPCLink<AppRouter>[] {
  const url = "/api/trpc";
  return [
    splitLink({
      condition: (op) => op.type === "mutation",
      true: httpLink({
        url,
        transformer: superjson,
        headers: ({ op }) => {
          const key = (op.context as CallContext).idempotencyKey;
          return key ? { "idempotency-key": key } : {};
        },
      }),
      false: httpBatchStreamLink({ url, transformer: superjson }),
    }),
  ];
}

/**
 * The links of server components: straight to apps/server, carrying the visitor's session
 * cookie so the server renders what that person may see.
 */
export function serverLinks(options: { apiUrl: string; session: string | undefined }): TRPCLink<AppRouter>[] {
  return [
    httpBatchLink({
      url: `${options.apiUrl}/trpc`,
      transformer: superjson,
      headers: () => (options.session ? { cookie: `session=${encodeURIComponent(options.session)}` } : {}),
    }),
  ];
}
