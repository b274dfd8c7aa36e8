export {
  createTrpcHandler,
  DEFAULT_MAX_BATCH_SIZE,
  DEFAULT_MAX_BODY_BYTES,
  errorResponseBody,
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
  type StoredOutcome,
} from "./idempotency";
export { createMemoryIdempotencyStore } from "./memory-store";
export { stableHash } from "./stable-hash";
