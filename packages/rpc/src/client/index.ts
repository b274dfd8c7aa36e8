export { IDEMPOTENCY_KEY_HEADER, MAX_TIMEOUT_MS, TIMEOUT_HEADER } from "../wire";
export { type RpcCallContext, safeToRepeat } from "./call-context";
export { type DeadlineLinkOptions, deadlineExceeded, deadlineLink } from "./deadline-link";
export { createRpcClient, type RpcClient, type RpcClientOptions } from "./factory";
export { createFailover, type Failover, type FailoverOptions, type ServerState } from "./failover-link";
export {
  type Failure,
  failureOf,
  HttpStatusError,
  parseRetryAfter,
  RETRYABLE_STATUSES,
  statusAwareFetch,
} from "./failures";
export { type IdempotencyKeyLinkOptions, idempotencyKeyLink } from "./idempotency-link";
export { DEFAULT_TIMEOUT_MS, type RpcLinksOptions, rpcLinks } from "./links";
export { DEFAULT_RETRY, type RetryOptions, retryLink } from "./retry-link";

/**
 * React Query options for a client built from rpcLinks: the retry link already retries
 * what is safe, so React Query must not retry on top (4 × 3 attempts, and mutations too).
 */
export const queryClientRetryDefaults = {
  queries: { retry: false },
  mutations: { retry: false },
} as const;
