import { type Database, queryRows, schema as t } from "@ticketing/db";
import type { ExistingRecord, IdempotencyRecordId, IdempotencyStore, StoredOutcome } from "@ticketing/rpc/server";
import { and, eq, sql } from "drizzle-orm";
import { isCallTransaction } from "./deadline-db";

const IN_FLIGHT: StoredOutcome = {
  ok: false,
  code: "CONFLICT",
  message: "A request with this idempotency key is still in progress; retry shortly.",
};

const matches = (id: IdempotencyRecordId) =>
  and(
    eq(t.idempotencyRecords.scope, id.scope),
    eq(t.idempotencyRecords.procedure, id.procedure),
    eq(t.idempotencyRecords.key, id.key),
  );

/**
 * Idempotency records in the application's own database. The claim is an INSERT on the
 * record's primary key: a concurrent duplicate blocks on the uncommitted row until the
 * first transaction ends, then reads its outcome — no second execution, no polling.
 * An expired record is taken over as if absent.
 */
export const idempotencyStore: IdempotencyStore<Database> = {
  // Within the call's own transaction the claim, the effect and the outcome are already one
  // unit: a failed call rolls it all back, a stored failure commits with its record.
  transaction: (db, fn) => (isCallTransaction(db) ? fn(db) : db.transaction((tx) => fn(tx))),
  savepoint: (tx, fn) => tx.transaction((sp) => fn(sp)),
  async claim(tx, id, inputHash, expiresAt): Promise<ExistingRecord | null> {
    const claimed = await tx
      .insert(t.idempotencyRecords)
      .values({ ...id, inputHash, outcome: null, expiresAt })
      .onConflictDoUpdate({
        target: [t.idempotencyRecords.scope, t.idempotencyRecords.procedure, t.idempotencyRecords.key],
        set: { inputHash, outcome: null, createdAt: sql`now()`, expiresAt },
        setWhere: sql`${t.idempotencyRecords.expiresAt} <= now()`,
      })
      .returning({ key: t.idempotencyRecords.key });
    if (claimed.length > 0) return null;
    const [row] = await tx
      .select({ inputHash: t.idempotencyRecords.inputHash, outcome: t.idempotencyRecords.outcome })
      .from(t.idempotencyRecords)
      .where(matches(id));
    if (!row) return { inputHash, outcome: IN_FLIGHT };
    return { inputHash: row.inputHash, outcome: (row.outcome as StoredOutcome | null) ?? IN_FLIGHT };
  },
  async complete(tx, id, outcome) {
    await tx.update(t.idempotencyRecords).set({ outcome }).where(matches(id));
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
