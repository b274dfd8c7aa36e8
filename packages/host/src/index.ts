/**
 * @ticketing/host — the HTTP host of a tRPC router, and the one package that knows tRPC's
 * internals. It serves a router on node:http: the direct path (plain calls answered without
 * fetch Request/Response objects, following tRPC's resolveResponse step by step), tRPC's
 * fetch adapter for the rest, one guard pipeline shared by /trpc and REST (who is calling,
 * CSRF, the deadline header, the per-address limit, body size, errors with their own
 * headers), the public REST router and OpenAPI document derived from procedure metadata,
 * and the listing of a router's procedures that contracts read.
 *
 * Everything a tRPC upgrade can break lives here, beside its wire equivalence tests; at
 * start the host checks the installed @trpc/server against the releases those tests passed
 * on (trpc-version.ts) and, on any other, serves through tRPC's own adapter.
 *
 * It must not import an app: nothing of tickets, no @ticketing/api, db or server. It builds
 * on @ticketing/rpc (the middlewares' semantics: deadlines, rate limits, trace context) and
 * on tRPC.
 */
export { invokeProcedure } from "./direct";
export {
  type Admitted,
  bodyTooLarge,
  createGuards,
  crossSiteRefusal,
  errorHeaders,
  type GuardOptions,
  type Guards,
  type Refusal,
  type Refused,
  type RequestRateLimit,
  readBody,
} from "./guards";
export {
  answerClientError,
  type ClientAddress,
  type CreateContextOptions,
  clientAddressOf,
  createTrpcHandler,
  DEFAULT_MAX_BATCH_SIZE,
  DEFAULT_MAX_BODY_BYTES,
  errorResponseBody,
  isLoopback,
  LOOPBACK_PROXIES,
  requestIdOf,
  sendJson,
  type TrpcHandlerOptions,
  type TrustedProxies,
  trustedProxies,
} from "./http";
export { listProcedures, type ProcedureSurface } from "./procedures";
export {
  createRestHandler,
  errorBody,
  type OpenApiOptions,
  type OperationFacts,
  openApiDocument,
  type RestErrorBody,
  type RestHandlerOptions,
  type RestOperation,
  type RestOperationsOptions,
  restErrorSchema,
  restOperations,
  toRestError,
} from "./rest";
export { checkDirectPath, type DirectPathCheck, installedTrpcRelease, VERIFIED_TRPC_RELEASES } from "./trpc-version";
