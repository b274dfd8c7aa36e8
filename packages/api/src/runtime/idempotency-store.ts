import { type Database, queryRows, runTransaction } from "@ticketing/db";
import type { ExistingRecord, IdempotencyStore, StoredOutcome } from "@ticketing/rpc/server";
import { sql } from "drizzle-orm";

const IN_FLIGHT: StoredOutcome = {
  ok: false,
  code: "CONFLICT",
  message: "A request with this idempotency key is still in progress; retry shortly.",
};

/**
 * Idempotency records in the application's own database. The claim is an INSERT on the
 * record's primary key: a concurrent duplicate blocks on the uncommitted row until the
 * first transaction ends, then reads its outcome — no second execution, no polling.
 * An expired record is taken over as if absent.
 */
export const idempotencyStore: IdempotencyStore<Database> = {
  // Within the call's own transaction the middleware takes none of these (the procedures'
  // `inCallTransaction`): the claim, the effect and the outcome are one unit there already.
  transaction: (db, fn) => runTransaction(db, fn),
  // A transaction in a transaction is a savepoint.
  savepoint: (tx, fn) => runTransaction(tx, fn),
  // The claim and the outcome are two of the few statements of every keyed call; they are
  // written as SQL, not with drizzle's builders, whose query building costs the server more
  // CPU than the statements cost the database (docs/decisions/016, 2026-12-07).
  async claim(tx, id, inputHash, expiresAt): Promise<ExistingRecord | null> {
    const claimed = await queryRows<{ key: string }>(
      tx,
      sql`INSERT INTO idempotency_records AS r (scope, procedure, key, input_hash, outcome, expires_at)
          VALUES (${id.scope}, ${id.procedure}, ${id.key}, ${inputHash}, NULL, ${expiresAt.toISOString()}::timestamptz)
          ON CONFLICT (scope, procedure, key) DO UPDATE
          SET input_hash = excluded.input_hash, outcome = NULL, created_at = now(), expires_at = excluded.expires_at
          WHERE r.expires_at <= now()
          RETURNING r.key`,
    );
    if (claimed.length > 0) return null;
    const [row] = await queryRows<{ input_hash: string; outcome: StoredOutcome | null }>(
      tx,
      sql`SELECT input_hash, outcome FROM idempotency_records
          WHERE scope = ${id.scope} AND procedure = ${id.procedure} AND key = ${id.key}`,
    );
    if (!row) return { inputHash, outcome: IN_FLIGHT };
    return { inputHash: row.input_hash, outcome: row.outcome ?? IN_FLIGHT };
  },
  async complete(tx, id, outcome) {
    await tx.execute(
      sql`UPDATE idempotency_records SET outcome = ${JSON.stringify(outcome)}::jsonb
          WHERE scope = ${id.scope} AND procedure = ${id.procedure} AND key = ${id.key}`,
    );
  },
  async purgeExpired(db, limit) {
    // In batches, by the expiry index, so a large backlog never holds one long transaction.
    const [row] = await queryRows<{ purged: number }>(
      db,
      sql`WITH gone AS (
            DELETE FROM idempotency_records WHERE ctid IN (
              SELECT ctid FROM idempotency_records WHERE expires_at <= now() LIMIT ${limit}
            ) RETURNING 1
          ) SELECT count(*)::int AS purged FROM gone`,
    );
    return row?.purged ?? 0;
  },
};
