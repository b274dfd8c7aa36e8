/**
 * @ticketing/rpc/client: a client for any tRPC router, with links for deadlines, retries with
 * backoff, idempotency keys and failover across servers; for browsers and Node alike. Like all
 * of @ticketing/rpc it knows nothing of tickets (it imports no @ticketing/* package), and it
 * knows nothing of the server half: no ../server, no node:* module, and of @trpc/server only
 * its types and its observable.
 */
export { IDEMPOTENCY_KEY_HEADER, MAX_TIMEOUT_MS, TIMEOUT_HEADER } from "../wire";
export { type BackoffPolicy, backoffDelay } from "./backoff";
export { type RpcCallContext, safeToRepeat } from "./call-context";
export { type DeadlineLinkOptions, deadlineExceeded, deadlineLink } from "./deadline-link";
export { type DeclaredError, declaredErrorReader, isRpcClientError, rpcErrorCode } from "./errors";
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
