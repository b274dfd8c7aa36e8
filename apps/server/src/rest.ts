import { appRouter, type Context, createCaller, type ProcedureMeta } from "@ticketing/api";
import {
  type Admitted,
  createRestHandler as createRestRouter,
  openApiDocument as describeOperations,
  errorBody,
  type Guards,
  type OperationFacts,
  type RestOperation,
  restOperations,
} from "@ticketing/host";
import type { AnyRouter } from "@trpc/server";
import { jsonSchemaOptions } from "./contract/contract";

/**
 * Public REST for partners without a tRPC client, served by the same procedures: a procedure
 * is on REST when its metadata says so (`.meta({ rest: restRoute(…) })`, see ProcedureMeta),
 * and both the routes and the OpenAPI document are derived from those routes and the
 * procedures' zod schemas (@ticketing/rpc/rest). Each call goes through a server-side caller
 * with the context /trpc builds, so validation, authorization, idempotency and errors are the
 * procedure's own. Only the envelope differs: plain JSON (no superjson; dates are ISO strings),
 * the HTTP statuses of the wire contract, and errors as `{ "error": { "code", "message", "fieldErrors" } }`.
 * What this file adds is this API's own: its prefix, its context, and what `auth` means.
 */

export const REST_PREFIX = "/api/v1";
const MAX_BODY_BYTES = 1024 * 1024;

export { errorBody };

export interface RestHandlerOptions<TDescribed> {
  /**
   * The context /trpc builds, for a request the guards let through; `onReplay` is for the
   * idempotency layer to call when it answers a stored outcome.
   */
  createContext(call: Admitted<TDescribed> & { requestId: string }, onReplay: () => void): Context;
  /** The guards of /trpc (CSRF, deadline, the per-address limit: one call per request). */
  guards: Guards<TDescribed>;
  serverUrl?: string;
}

/** The routes the router's procedures declare; a route that cannot work stops the start here. */
function operationsOf(router: AnyRouter): RestOperation[] {
  return restOperations(router, { prefix: REST_PREFIX, jsonSchemaOptions });
}

/** What this API's metadata means on REST: who must sign in, and what it has marked for removal. */
function factsOf(operation: RestOperation): OperationFacts {
  const meta = (operation.meta ?? {}) as ProcedureMeta;
  return {
    ...(meta.auth === "signed-in" && {
      security: [{ bearer: [] }],
      errors: { UNAUTHORIZED: "No valid Bearer token", TOO_MANY_REQUESTS: "Over your account's rate limit" },
    }),
    ...(meta.deprecated !== undefined && { deprecated: meta.deprecated }),
  };
}

/**
 * The OpenAPI 3.1 description of the routes of `router` (the app's own by default; a test's
 * variant of it), generated from its procedures' metadata and zod schemas.
 */
export function openApiDocument(serverUrl?: string, router: AnyRouter = appRouter) {
  return describeOperations(operationsOf(router), {
    info: {
      title: "Ticketing public API",
      version: "1.0.0",
      description:
        "For partners without a tRPC client: the same procedures as /trpc, as plain JSON. Authenticate with `Authorization: Bearer <token>` (from signIn). Dates are ISO 8601 strings.",
    },
    ...(serverUrl && { servers: [{ url: serverUrl }] }),
    securitySchemes: { bearer: { type: "http", scheme: "bearer" } },
    facts: factsOf,
    // The per-address limit applies to every route when the server is configured with one.
    errors: { TOO_MANY_REQUESTS: "Over the rate limit of your address" },
    maxBodyBytes: MAX_BODY_BYTES,
    jsonSchemaOptions,
  });
}

export function createRestHandler<TDescribed>(options: RestHandlerOptions<TDescribed>) {
  return createRestRouter({
    operations: operationsOf(appRouter),
    prefix: REST_PREFIX,
    document: () => openApiDocument(options.serverUrl),
    caller: (_req, call, { onReplay }) => createCaller(options.createContext(call, onReplay)),
    guards: options.guards,
    maxBodyBytes: MAX_BODY_BYTES,
  });
}
