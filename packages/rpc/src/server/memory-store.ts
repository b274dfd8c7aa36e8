import type { ExistingRecord, IdempotencyRecordId, IdempotencyStore, StoredOutcome } from "./idempotency";

type Row = { inputHash: string; outcome: StoredOutcome | null; expiresAt: Date };

/** A transaction: its uncommitted writes, and a promise that settles when it ends. */
interface MemoryTx {
  writes: Map<string, Row>;
  ended: Promise<void>;
}

const IN_FLIGHT: StoredOutcome = {
  ok: false,
  code: "CONFLICT",
  message: "A request with this key is still in progress.",
};

/**
 * An in-process idempotency store, for tests and single-process tools. It behaves as the
 * middleware needs a database to: writes commit or vanish with their transaction, and a
 * claim on a key that another open transaction holds waits until that transaction ends.
 */
export function createMemoryIdempotencyStore(): IdempotencyStore<unknown> & { size(): number } {
  const committed = new Map<string, Row>();
  const holders = new Map<string, Promise<void>>();
  const keyOf = (id: IdempotencyRecordId) => JSON.stringify([id.scope, id.procedure, id.key]);
  const asTx = (tx: unknown) => tx as MemoryTx;

  return {
    size: () => committed.size,
    async transaction(_db, fn) {
      let end = () => {};
      const tx: MemoryTx = { writes: new Map(), ended: new Promise<void>((resolve) => (end = resolve)) };
      try {
        const end = await fn(tx);
        if ("rollback" in end) return end.rollback;
        for (const [key, row] of tx.writes) committed.set(key, row);
        return end.commit;
      } finally {
        for (const key of tx.writes.keys()) if (holders.get(key) === tx.ended) holders.delete(key);
        end();
      }
    },
    async savepoint(tx, fn) {
      const before = new Map([...asTx(tx).writes].map(([key, row]) => [key, { ...row }]));
      try {
        const end = await fn(tx);
        if ("commit" in end) return end.commit;
        asTx(tx).writes = before;
        return end.rollback;
      } catch (error) {
        asTx(tx).writes = before;
        throw error;
      }
    },
    async claim(tx, id, inputHash, expiresAt): Promise<ExistingRecord | null> {
      const key = keyOf(id);
      for (let holder = holders.get(key); holder; holder = holders.get(key)) await holder;
      const existing = committed.get(key);
      if (existing && existing.expiresAt > new Date()) {
        return { inputHash: existing.inputHash, outcome: existing.outcome ?? IN_FLIGHT };
      }
      asTx(tx).writes.set(key, { inputHash, outcome: null, expiresAt });
      holders.set(key, asTx(tx).ended);
      return null;
    },
    async purgeExpired(_db, limit) {
      const now = new Date();
      let purged = 0;
      for (const [key, row] of committed) {
        if (purged >= limit) break;
        if (row.expiresAt <= now) {
          committed.delete(key);
          purged++;
        }
      }
      return purged;
    },
    async complete(tx, id, outcome) {
      const row = asTx(tx).writes.get(keyOf(id));
      if (row) row.outcome = outcome;
    },
  };
}
