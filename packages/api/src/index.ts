export {
  type AvailabilityFeed,
  type AvailabilityFeedOptions,
  type AvailabilityUpdate,
  type ChangeWatcher,
  startAvailabilityFeed,
} from "./availability-feed";
export {
  type Context,
  type ContextFactoryOptions,
  type Credentials,
  createContextFactory,
  type RequestInfo,
  type SessionCookieJar,
} from "./context";
export { DomainError, type Failure, type FailureData, type FailureReason } from "./domain/errors";
export type { Role, Viewer } from "./domain/viewer";
export { type Cached, createEventCache, type EventCache } from "./event-cache";
export { traceEventCache } from "./event-cache-tracing";
export {
  type AppRouter,
  appRouter,
  createCaller,
  type ProcedureFailures,
  type RouterInputs,
  type RouterOutputs,
} from "./root";
export { settledText } from "./settled";
export type { ProcedureMeta } from "./trpc";
