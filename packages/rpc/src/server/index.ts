/**
 * @ticketing/rpc/server: the server half of generic RPC semantics on tRPC. The HTTP handler on
 * node:http and its direct path, deadlines, exactly-once mutations (idempotency, with the
 * store interface an app implements), observation (logs, metrics, spans), rate limits, trace
 * context, one summary of invalid input. Like all of @ticketing/rpc it knows nothing of
 * tickets: it imports no @ticketing/* package, and the app supplies its router, context,
 * stores and error mapping. Outside its tests it does not import the client half (../client).
 */
export { extractTraceContext, type TraceContext, traceHeaders, traceIdOf } from "../trace";
export { IDEMPOTENCY_KEY_HEADER, MAX_TIMEOUT_MS, TIMEOUT_HEADER } from "../wire";
export {
  DEADLINE_EXCEEDED_MESSAGE,
  DeadlineExceededError,
  deadline,
  type ParsedTimeout,
  parseTimeoutHeader,
  runWithDeadline,
} from "./deadline";
export {
  type ExistingRecord,
  IDEMPOTENCY_KEY_PATTERN,
  type IdempotencyOptions,
  type IdempotencyRecordId,
  type IdempotencyStore,
  idempotency,
  isStoredFailure,
  type StoredOutcome,
  type TransactionEnd,
} from "./idempotency";
export { describeIssues, issuesOf, segmentName } from "./issues";
export { createMemoryIdempotencyStore } from "./memory-store";
export {
  type CallLogger,
  callObserver,
  createRpcMetrics,
  type EndCall,
  endCallSpan,
  type ObservedCall,
  type ObserveOptions,
  observe,
  RPC_ATTRIBUTES,
  type RpcMetrics,
  startCallSpan,
} from "./observe";
export {
  createLimitStore,
  createRateLimiter,
  LIMIT_STORE_TIMEOUT_MS,
  type LimitStoreEvents,
  RateLimitExceeded,
  type RateLimiter,
  type RateLimitMiddlewareOptions,
  type RateLimitOptions,
  rateLimit,
  retryAfterMsOf,
  retryAfterSeconds,
  tooManyRequests,
  windowOf,
} from "./rate-limit";
export { stableHash } from "./stable-hash";
