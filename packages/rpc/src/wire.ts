/**
 * The headers this package's clients and servers agree on. A raw HTTP caller may send them
 * too: they are the wire contract, not an implementation detail.
 */

/** Time the caller will wait, in whole milliseconds, relative like gRPC's grpc-timeout. */
export const TIMEOUT_HEADER = "rpc-timeout-ms";
/** The key that makes a mutation's retries safe (IETF draft "The Idempotency-Key HTTP Header Field"). */
export const IDEMPOTENCY_KEY_HEADER = "idempotency-key";
/** Deadlines further out than this are clamped to it: no call may pin a server for longer. */
export const MAX_TIMEOUT_MS = 60_000;
