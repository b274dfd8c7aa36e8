/**
 * A router's contract, read and compared: which procedures it has, what they take and
 * answer as JSON Schema (Standard JSON Schema, zod 4's own converter), and what a change
 * between two versions means for a client written against the older one. Generic: it
 * knows nothing of the app whose router it reads (it imports no @ticketing/* package).
 */
export { type Change, type ChangeLevel, compareSchemas, type Position } from "./compare-schemas";
export {
  acceptsNoInput,
  enforcedSchema,
  type JsonSchema,
  jsonSchemaOf,
  listProcedures,
  type ProcedureKind,
  type ProcedureSurface,
} from "./procedures";
