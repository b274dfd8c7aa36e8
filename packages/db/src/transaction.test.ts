import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "./client";
import { queryRows } from "./query";
import { createMemoryDatabase } from "./testing";
import { runTransaction } from "./transaction";

let handle: DatabaseHandle;
beforeAll(async () => {
  handle = await createMemoryDatabase();
  await handle.db.execute(sql`CREATE TABLE marks (name text PRIMARY KEY)`);
});
afterAll(() => handle.close());

const marks = async () =>
  (await queryRows<{ name: string }>(handle.db, sql`SELECT name FROM marks ORDER BY name`)).map((row) => row.name);
const mark = (name: string) => sql`INSERT INTO marks VALUES (${name})`;

describe("runTransaction", () => {
  it("commits or rolls back as the returned value says, and answers with the value either way", async () => {
    const kept = await runTransaction(handle.db, async (tx) => {
      await tx.execute(mark("kept"));
      return { commit: "committed" };
    });
    const undone = await runTransaction(handle.db, async (tx) => {
      await tx.execute(mark("undone"));
      return { rollback: { ok: false } };
    });
    expect([kept, undone]).toEqual(["committed", { ok: false }]);
    expect(await marks()).toEqual(["kept"]);
  });

  it("is a savepoint inside a transaction: its rollback keeps the outer writes", async () => {
    await runTransaction(handle.db, async (tx) => {
      await tx.execute(mark("outer"));
      const inner = await runTransaction(tx, async (sp) => {
        await sp.execute(mark("inner"));
        return { rollback: "inner undone" };
      });
      return { commit: inner };
    });
    expect(await marks()).toEqual(["kept", "outer"]);
  });

  it("rolls back and passes on what the work throws", async () => {
    const failure = new Error("the work failed");
    await expect(
      runTransaction(handle.db, async (tx) => {
        await tx.execute(mark("thrown"));
        throw failure;
      }),
    ).rejects.toBe(failure);
    expect(await marks()).toEqual(["kept", "outer"]);
  });
});
