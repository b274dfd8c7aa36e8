import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  AccountError,
  adminPasswordProblem,
  ensureServiceAccount,
  findPublicPasswordAccounts,
  upsertAdmin,
} from "./accounts";
import type { DatabaseHandle } from "./client";
import { hashPassword, NO_PASSWORD, verifyPassword } from "./passwords";
import { queryRows } from "./query";
import * as t from "./schema";
import { seedDemo } from "./seed";
import { DEMO_PASSWORD, demoUsers, SERVICE_ACCOUNT_EMAIL } from "./seed-data";
import { createMemoryDatabase } from "./testing";

let handle: DatabaseHandle;
beforeAll(async () => {
  handle = await createMemoryDatabase();
});
afterAll(() => handle.close());

const userByEmail = async (email: string) =>
  (await handle.db.select().from(t.users).where(eq(t.users.email, email)))[0];

const sessionCount = async (userId: string) =>
  (await queryRows<{ n: number }>(handle.db, sql`SELECT count(*)::int AS n FROM sessions WHERE user_id = ${userId}`))[0]
    ?.n;

const STRONG = "tangerine kettle orbit fjord";

describe("ensureServiceAccount", () => {
  it("creates the service account on an empty database, once however often it runs", async () => {
    await ensureServiceAccount(handle.db);
    await ensureServiceAccount(handle.db);
    const rows = await handle.db.select().from(t.users).where(eq(t.users.email, SERVICE_ACCOUNT_EMAIL));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ role: "service", passwordHash: NO_PASSWORD });
  });

  it("takes back its email from a person who registered it: service role, no password, no sessions", async () => {
    await handle.db.delete(t.users).where(eq(t.users.email, SERVICE_ACCOUNT_EMAIL));
    const [squatter] = await handle.db
      .insert(t.users)
      .values({ email: SERVICE_ACCOUNT_EMAIL, name: "Squatter", passwordHash: await hashPassword(STRONG) })
      .returning();
    if (!squatter) throw new Error("insert returned nothing");
    await handle.db
      .insert(t.sessions)
      .values({ tokenHash: "squatter-session", userId: squatter.id, expiresAt: new Date(Date.now() + 60_000) });

    await ensureServiceAccount(handle.db);

    expect(await userByEmail(SERVICE_ACCOUNT_EMAIL)).toMatchObject({
      id: squatter.id,
      role: "service",
      passwordHash: NO_PASSWORD,
    });
    expect(await sessionCount(squatter.id)).toBe(0);
  });
});

describe("adminPasswordProblem", () => {
  it.each([
    ["", "admin@example.org", "The password is empty."],
    ["short-but-ok", "admin@example.org", "The password is too short: use at least 15 characters"],
    ["x".repeat(201), "admin@example.org", "The password is too long: use at most 200 characters."],
    ["abababababababab", "admin@example.org", "The password repeats too few characters"],
    ["my demo-password is long", "admin@example.org", "The password contains the public demo password."],
    ["grace.hopper rocks 1906", "grace.hopper@example.org", "The password contains the account's email name."],
  ])("refuses %j for %s", (password, email, message) => {
    expect(adminPasswordProblem(password, email)).toContain(message);
  });

  it("accepts a passphrase of random words", () => {
    expect(adminPasswordProblem(STRONG, "admin@example.org")).toBeNull();
  });
});

describe("upsertAdmin", () => {
  it("creates an admin who signs in with the given password", async () => {
    expect(await upsertAdmin(handle.db, { email: " Root@Example.ORG ", name: "Root", password: STRONG })).toBe(
      "created",
    );
    const admin = await userByEmail("root@example.org");
    expect(admin).toMatchObject({ role: "admin", name: "Root" });
    expect(await verifyPassword(STRONG, admin?.passwordHash ?? "")).toBe(true);
  });

  it("promotes an existing account, replaces its password and ends its sessions", async () => {
    const [person] = await handle.db
      .insert(t.users)
      .values({ email: "promoted@example.org", name: "Promoted", passwordHash: await hashPassword("old password") })
      .returning();
    if (!person) throw new Error("insert returned nothing");
    await handle.db
      .insert(t.sessions)
      .values({ tokenHash: "promoted-session", userId: person.id, expiresAt: new Date(Date.now() + 60_000) });

    expect(await upsertAdmin(handle.db, { email: "promoted@example.org", name: "Ignored", password: STRONG })).toBe(
      "updated",
    );

    const after = await userByEmail("promoted@example.org");
    expect(after).toMatchObject({ id: person.id, role: "admin", name: "Promoted" });
    expect(await verifyPassword(STRONG, after?.passwordHash ?? "")).toBe(true);
    expect(await verifyPassword("old password", after?.passwordHash ?? "")).toBe(false);
    expect(await sessionCount(person.id)).toBe(0);
  });

  it("refuses the service account, a bad email and a weak password, changing nothing", async () => {
    const before = await userByEmail(SERVICE_ACCOUNT_EMAIL);
    await expect(upsertAdmin(handle.db, { email: SERVICE_ACCOUNT_EMAIL, name: "X", password: STRONG })).rejects.toThrow(
      new AccountError(`${SERVICE_ACCOUNT_EMAIL} is the worker's service account.`),
    );
    expect(await userByEmail(SERVICE_ACCOUNT_EMAIL)).toEqual(before);
    await expect(upsertAdmin(handle.db, { email: "not-an-email", name: "X", password: STRONG })).rejects.toThrow(
      '"not-an-email" is not an email address.',
    );
    await expect(
      upsertAdmin(handle.db, { email: "weak@example.org", name: "X", password: "password" }),
    ).rejects.toThrow("The password is too short");
    expect(await userByEmail("weak@example.org")).toBeUndefined();
  });
});

describe("findPublicPasswordAccounts", () => {
  it("names every demo account that opens with the public password, and stops naming one once changed", async () => {
    expect(await findPublicPasswordAccounts(handle.db)).toEqual([]);
    await seedDemo(handle.db);
    const demoEmails = demoUsers.map((user) => user.email).sort();
    expect(await findPublicPasswordAccounts(handle.db)).toEqual(demoEmails);

    await upsertAdmin(handle.db, { email: "admin@example.com", name: "Ada", password: STRONG });
    expect(await findPublicPasswordAccounts(handle.db)).toEqual(demoEmails.filter((e) => e !== "admin@example.com"));
    expect(await verifyPassword(DEMO_PASSWORD, (await userByEmail("alice@example.com"))?.passwordHash ?? "")).toBe(
      true,
    );
  });
});
