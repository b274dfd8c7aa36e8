export { DomainError, type Failure, type FailureData, type FailureReason } from "./domain/errors";
export type { Role, Viewer } from "./domain/viewer";
export {
  type AvailabilityFeed,
  type AvailabilityFeedOptions,
  type AvailabilityUpdate,
  type ChangeWatcher,
  startAvailabilityFeed,
} from "./live/availability-feed";
export type { ProcedureFailures } from "./router/failures";
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
export { type AppRouter, appRouter, createCaller, type RouterInputs, type RouterOutputs } from "./trpc/root";
