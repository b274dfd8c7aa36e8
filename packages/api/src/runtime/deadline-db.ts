import { type Database, runTransaction, type TransactionEnd } from "@ticketing/db";
import { DEADLINE_EXCEEDED_MESSAGE } from "@ticketing/rpc/server";
import { TRPCError } from "@trpc/server";
import { sql } from "drizzle-orm";
import type { PgTransactionConfig } from "drizzle-orm/pg-core";

/** The handle's methods that start a statement (or a transaction of them). */
const STATEMENTS = new Set<PropertyKey>([
  "execute",
  "select",
  "selectDistinct",
  "selectDistinctOn",
  "insert",
  "update",
  "delete",
  "with",
  "$count",
  "transaction",
]);

/**
 * A database handle that refuses to start a statement once `signal` has fired (the call's
 * deadline passed, or its caller left). This is how a deadline stops work on PGlite, which
 * cannot cancel a running statement; on PostgreSQL it spares the round trips after one.
 */
export function guardDatabase(db: Database, signal: AbortSignal): Database {
  return new Proxy(db, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== "function") return value;
      if (!STATEMENTS.has(property)) return value.bind(target);
      return (...args: unknown[]) => {
        if (signal.aborted) throw new TRPCError({ code: "TIMEOUT", message: DEADLINE_EXCEEDED_MESSAGE });
        if (property === "transaction") {
          const [work, config] = args as [(tx: Database) => Promise<unknown>, PgTransactionConfig | undefined];
          return target.transaction((tx) => work(guardDatabase(tx, signal)), config);
        }
        return value.apply(target, args);
      };
    },
  });
}

/**
 * Runs `work` in a transaction whose statements PostgreSQL cancels when `deadline` passes
 * (SET LOCAL statement_timeout to the time remaining): a statement waiting on a lock or
 * running long ends with SQLSTATE 57014, which the error mapping answers as TIMEOUT. The
 * transaction commits or rolls back as `work`'s returned value says (runTransaction).
 */
export async function withStatementTimeout<T>(
  db: Database,
  deadline: number,
  work: (tx: Database) => Promise<TransactionEnd<T>>,
): Promise<T> {
  return runTransaction(db, async (tx) => {
    const left = Math.max(1, Math.ceil(deadline - Date.now()));
    await tx.execute(sql`SELECT set_config('statement_timeout', ${String(left)}, true)`);
    return work(tx);
  });
}
