/**
 * Public REST derived from a tRPC router: a procedure declares its route in its metadata
 * (`.meta({ rest: restRoute(input, { method, path }) })`), and the REST router and its
 * OpenAPI 3.1 document are both built from those routes and the procedures' own schemas
 * (Standard JSON Schema: zod 4's converter). Generic: it knows nothing of the app whose
 * router it serves (it imports no @ticketing/* package); the app supplies its prefix, its callers' context and what its
 * metadata says about authentication.
 */
export { createRestHandler, errorBody, type RestHandlerOptions, toRestError } from "./handler";
export {
  type OpenApiOptions,
  type OperationFacts,
  openApiDocument,
  type RestErrorBody,
  restErrorSchema,
} from "./openapi";
export { type RestOperation, type RestOperationsOptions, restOperations } from "./operations";
export {
  isRestRoute,
  type PathParamNames,
  type RestMethod,
  type RestRoute,
  type RestRouteSpec,
  restRoute,
} from "./route";
