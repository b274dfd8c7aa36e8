import type { ProcedureKind } from "@ticketing/rpc/contract";
import type { AnyProcedure, AnyRouter } from "@trpc/server";

/** One procedure of a router as a contract sees it: what it is, what it takes and answers. */
export interface ProcedureSurface {
  name: string;
  kind: ProcedureKind;
  /** The input parsers, in order (tRPC merges several); empty when the procedure takes none. */
  inputs: readonly unknown[];
  /** The output parser; undefined when none is declared (a subscription's, for one). */
  output: unknown;
  /** The procedure's metadata (`.meta()`, merged along the builder chain). */
  meta: unknown;
  /** The procedure itself, to build another router from (a test's variant of this one). */
  procedure: AnyProcedure;
}

interface ProcedureDef {
  type: ProcedureKind;
  inputs: unknown[];
  output?: unknown;
  meta?: unknown;
}

/**
 * The procedures of a router, sorted by name. tRPC has no public API that hands back a
 * procedure's parsers and metadata (its inference helpers are types only), so this is the
 * one place that reads `_def`: `router._def.procedures` (the flat record, nested routers
 * included, keyed by dotted path) and each procedure's `_def` (type, inputs, output, meta).
 * The contract tests pin what it reads.
 */
export function listProcedures(router: AnyRouter): ProcedureSurface[] {
  const record = router._def.procedures as Record<string, AnyProcedure>;
  return Object.keys(record)
    .sort()
    .map((name) => {
      const procedure = record[name] as AnyProcedure;
      const def = procedure._def as unknown as ProcedureDef;
      return { name, kind: def.type, inputs: def.inputs, output: def.output, meta: def.meta, procedure };
    });
}
