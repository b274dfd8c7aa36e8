import { TransactionRollbackError } from "drizzle-orm";
import type { PgTransactionConfig } from "drizzle-orm/pg-core";
import type { Database } from "./client";

/**
 * How a transaction's work ends, as a value: `commit` keeps its writes, `rollback` undoes
 * them, and either way the transaction's result is the value given. A failed call can so be
 * rolled back and still be the answer, with no exception made up to carry it out.
 */
export type TransactionEnd<T> = { commit: T } | { rollback: T };

/**
 * Runs `work` in a transaction (a savepoint when `db` is a transaction already) that ends as
 * `work`'s returned value says, and resolves to that value. A throw rolls back and
 * propagates, as with `db.transaction`.
 */
export async function runTransaction<T>(
  db: Database,
  work: (tx: Database) => Promise<TransactionEnd<T>>,
  config?: PgTransactionConfig,
): Promise<T> {
  let end: TransactionEnd<T> | undefined;
  try {
    await db.transaction(async (tx) => {
      end = await work(tx);
      // drizzle's own way to end a transaction with a rollback (it throws, and rethrows after
      // ROLLBACK); caught below, so it never leaves this function.
      if ("rollback" in end) tx.rollback();
    }, config);
  } catch (error) {
    if (!(error instanceof TransactionRollbackError && end !== undefined && "rollback" in end)) throw error;
  }
  // Set by the callback, which ran to its end: the transaction committed or rolled back as told.
  const ended = end as TransactionEnd<T>;
  return "commit" in ended ? ended.commit : ended.rollback;
}
