import type { AppRouter } from "@ticketing/api";
import { IDEMPOTENCY_KEY_HEADER, rpcLinks } from "@ticketing/rpc/client";
import {
  httpBatchStreamLink,
  httpLink,
  httpSubscriptionLink,
  isNonJsonSerializable,
  splitLink,
  type TRPCLink,
} from "@trpc/client";
import superjson from "superjson";

// Every link of the web app lives here. Server components use packages/rpc's client links
// (a deadline per call, passed on from the page's own; retries of what is safe to repeat; a
// key per mutation). The browser uses tRPC's links directly (docs/decisions/010), inside the
// client that trpc/browser.ts loads on first use, after first paint. Either way queries are
// batched and streamed, mutations go one per request, and subscriptions use server-sent events.

/** What a component may attach to one call: the key of the user's intent, sent as Idempotency-Key. */
interface CallContext extends Record<string, unknown> {
  idempotencyKey?: string;
}

/** Sign-in and sign-up are not replayed by the server, so they are never repeated either. */
const atMostOnce = ({ path }: { path: string }) => path === "signIn" || path === "signUp";

/**
 * The browser's links, same-origin through the /api/trpc proxy. A mutation carries the key
 * of its user's intent (context `idempotencyKey`) as Idempotency-Key; an upload (a File or
 * other non-JSON input) goes the same way, as its own request with the body streamed (a
 * batch could not carry it); the live seat map subscribes over server-sent events,
 * resuming from its last change after a reconnect.
 */
export function browserLinks(): TRPCLink<AppRouter>[] {
  const url = "/api/trpc";
  return [
    splitLink({
      condition: (op) => op.type === "subscription",
      true: httpSubscriptionLink({ url, transformer: superjson }),
      false: splitLink({
        condition: (op) => op.type === "mutation" || isNonJsonSerializable(op.input),
        true: httpLink({
          url,
          transformer: superjson,
          headers: ({ op }) => {
            const key = (op.context as CallContext).idempotencyKey;
            return key ? { [IDEMPOTENCY_KEY_HEADER]: key } : {};
          },
        }),
        false: httpBatchStreamLink({ url, transformer: superjson }),
      }),
    }),
  ];
}

/**
 * The links of server components: straight to apps/server, carrying the visitor's session
 * cookie so the server renders what that person may see, and the page's own deadline.
 */
export function serverLinks(options: {
  apiUrl: string;
  session: string | undefined;
  /** The visitor's address as this app's server settled it, so apps/server limits the visitor, not this app. */
  clientAddress: string | undefined;
  deadline: () => number;
}): TRPCLink<AppRouter>[] {
  return rpcLinks<AppRouter>({
    servers: options.apiUrl,
    transformer: superjson,
    atMostOnce,
    inheritDeadline: options.deadline,
    headers: (): Record<string, string> => ({
      ...(options.session && { cookie: `session=${encodeURIComponent(options.session)}` }),
      ...(options.clientAddress && { "x-forwarded-for": options.clientAddress }),
    }),
  }).links;
}
