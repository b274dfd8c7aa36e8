/**
 * @ticketing/api: the ticketing platform's router. Every procedure (router/), its schemas
 * (schemas/, also @ticketing/api/schemas), the rules and SQL behind them (domain/), the tRPC
 * wiring (trpc/: procedure builders, context, error mapping, appRouter), the per-call
 * machinery (runtime/: deadline-bound handles, idempotency records, checked answers, the
 * event cache) and the live availability feed (live/). apps/server serves it; clients read
 * its types. Other entry points: ./testing (in-process callers on a seeded database) and
 * ./time (event times as people read them; pure Intl, it imports nothing, browser-safe).
 *
 * It has no transport: nothing here listens, reads an HTTP request or writes a response. It
 * imports no node:http, no tRPC adapter, nothing of apps/*; a request reaches it as a Context
 * made by createContextFactory from what the transport read (RequestInfo). Uploads take their
 * body through tRPC's octetInputParser, an input parser, not a server. It builds on
 * @ticketing/rpc (generic RPC semantics) and @ticketing/db, which never import it.
 */
export { DomainError, type Failure, type FailureData, type FailureReason } from "./domain/errors";
export type { Role, Viewer } from "./domain/viewer";
export {
  type AvailabilityFeed,
  type AvailabilityFeedOptions,
  type AvailabilityUpdate,
  type ChangeWatcher,
  startAvailabilityFeed,
} from "./live/availability-feed";
export { checkedAnswerText } from "./runtime/checked-answers";
export { type Cached, createEventCache, type EventCache } from "./runtime/event-cache";
export { traceEventCache } from "./runtime/event-cache-tracing";
export {
  type Context,
  type ContextFactoryOptions,
  type Credentials,
  createContextFactory,
  type RequestInfo,
  type SessionCookieJar,
} from "./trpc/context";
export type { ProcedureMeta } from "./trpc/procedures";
export {
  type AppRouter,
  appRouter,
  createCaller,
  type ProcedureFailures,
  type RouterInputs,
  type RouterOutputs,
} from "./trpc/root";
