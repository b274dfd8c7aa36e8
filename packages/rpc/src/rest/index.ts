/**
 * A procedure's public REST route, declared in its metadata:
 * `.meta({ rest: restRoute(input, { method, path }) })`. The REST router and the OpenAPI
 * 3.1 document built from these routes and the procedures' schemas are served by
 * @ticketing/host (createRestHandler, openApiDocument); a router names its routes with this
 * module alone, and needs no transport for it. It imports no @ticketing/* package.
 */
export {
  isRestRoute,
  type PathParamNames,
  type RestMethod,
  type RestRoute,
  type RestRouteSpec,
  restRoute,
} from "./route";
