/**
 * A router's contract, as schemas: what a procedure's parsers take and answer as JSON
 * Schema (Standard JSON Schema, zod 4's own converter), and what a change between two
 * versions means for a client written against the older one. Generic: it knows nothing of
 * the app whose router it reads (it imports no @ticketing/* package). Listing a router's
 * procedures reads tRPC's internals, so it lives in @ticketing/host (`listProcedures`).
 */
export { type Change, type ChangeLevel, compareSchemas, type Position } from "./compare-schemas";
export {
  acceptsNoInput,
  enforcedSchema,
  type JsonSchema,
  jsonSchemaOf,
  type ProcedureKind,
} from "./json-schema";
