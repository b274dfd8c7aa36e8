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
export { invokeProcedure } from "./direct";
export {
  answerClientError,
  type CreateContextOptions,
  clientAddressOf,
  createTrpcHandler,
  crossSiteRefusal,
  DEFAULT_MAX_BATCH_SIZE,
  DEFAULT_MAX_BODY_BYTES,
  errorResponseBody,
  isLoopback,
  readBody,
  requestIdOf,
  type TrpcHandlerOptions,
} from "./http";
export {
  type ExistingRecord,
  IDEMPOTENCY_KEY_PATTERN,
  type IdempotencyOptions,
  type IdempotencyRecordId,
  type IdempotencyStore,
  idempotency,
  isStoredFailure,
  type StoredOutcome,
} from "./idempotency";
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
  createRateLimiter,
  RateLimitExceeded,
  type RateLimiter,
  type RateLimitMiddlewareOptions,
  type RateLimitOptions,
  rateLimit,
  retryAfterMsOf,
  retryAfterSeconds,
  tooManyRequests,
} from "./rate-limit";
export { stableHash } from "./stable-hash";
