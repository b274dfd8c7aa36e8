import { randomBytes, randomUUID, scryptSync } from "node:crypto";
import { schema as t } from "@ticketing/db";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApi, TEST_SERVICE_TOKEN, type TestApi } from "../testing";
import { createContextFactory } from "../trpc/context";
import { createCaller } from "../trpc/root";

let api: TestApi;
beforeAll(async () => {
  api = await createTestApi();
});
afterAll(() => api.close());

/** A caller that records the cookies procedures set, as the browser would receive them. */
function browser(token?: string) {
  const jar: string[] = [];
  const contextFor = createContextFactory({ db: api.db, serviceToken: TEST_SERVICE_TOKEN });
  const caller = createCaller(
    contextFor({
      requestId: "test",
      credentials: token ? { token, source: "cookie" } : null,
      cookies: { set: (value) => jar.push(`set:${value}`), clear: () => jar.push("clear") },
    }),
  );
  return { caller, jar };
}

describe("signUp", () => {
  it("creates a customer, opens a session and sets the cookie", async () => {
    const { caller, jar } = browser();
    const session = await caller.signUp({
      email: "New.Person@Example.com",
      password: "long enough",
      name: "  New Person ",
    });
    expect(session.user).toMatchObject({ email: "new.person@example.com", name: "New Person", role: "customer" });
    expect(session.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(jar).toEqual([`set:${session.token}`]);
    await expect(browser(session.token).caller.me()).resolves.toEqual(session.user);
  });

  it("refuses a taken email with CONFLICT and weak input with BAD_REQUEST", async () => {
    await expect(
      api.anonymous.signUp({ email: "alice@example.com", password: "whatever123", name: "Alice" }),
    ).rejects.toMatchObject({
      code: "CONFLICT",
      message: "An account for alice@example.com already exists. Sign in instead.",
    });
    await expect(
      api.anonymous.signUp({ email: "short@example.com", password: "seven77", name: "Short" }),
    ).rejects.toMatchObject({
      code: "BAD_REQUEST",
    });
    await expect(
      api.anonymous.signUp({ email: "not-an-email", password: "long enough", name: "X" }),
    ).rejects.toMatchObject({
      code: "BAD_REQUEST",
    });
  });
});

describe("signIn, me and signOut", () => {
  it("signs in a demo account with its password", async () => {
    const session = await api.anonymous.signIn({ email: "ALICE@example.com", password: "demo-password" });
    expect(session.user).toMatchObject({ email: "alice@example.com", role: "customer" });
    expect(session.expiresAt.getTime()).toBeGreaterThan(Date.now() + 29 * 86_400_000);
  });

  it("gives the same answer for a wrong password and an unknown email", async () => {
    const expected = { code: "UNAUTHORIZED", message: "Email or password is incorrect." };
    await expect(
      api.anonymous.signIn({ email: "alice@example.com", password: "not-her-password" }),
    ).rejects.toMatchObject(expected);
    await expect(
      api.anonymous.signIn({ email: "nobody@example.com", password: "demo-password" }),
    ).rejects.toMatchObject(expected);
  });

  it("never lets the service account or seeded patrons sign in with a password", async () => {
    for (const email of ["worker@ticketing.internal", "patron01@example.com"]) {
      await expect(api.anonymous.signIn({ email, password: "disabled" })).rejects.toMatchObject({
        code: "UNAUTHORIZED",
      });
    }
  });

  it("answers me with null for strangers and ends the session on sign-out", async () => {
    expect(await api.anonymous.me()).toBeNull();
    expect(await browser("no-such-token").caller.me()).toBeNull();
    const token = await api.tokenFor("bob@example.com");
    const { caller, jar } = browser(token);
    expect((await caller.me())?.email).toBe("bob@example.com");
    await expect(caller.signOut()).resolves.toEqual({ signedOut: true });
    expect(jar).toEqual(["clear"]);
    expect(await browser(token).caller.me()).toBeNull();
    await expect(browser(token).caller.listMyBookings()).rejects.toMatchObject({ code: "UNAUTHORIZED" });
  });

  it("recognises the worker token as the service account, and nothing close to it", async () => {
    expect((await api.service.me())?.role).toBe("service");
    const contextFor = createContextFactory({ db: api.db, serviceToken: TEST_SERVICE_TOKEN });
    const almost = createCaller(
      contextFor({ requestId: "t", credentials: { token: `${TEST_SERVICE_TOKEN}x`, source: "bearer" } }),
    );
    expect(await almost.me()).toBeNull();
    const viaCookie = createCaller(
      contextFor({ requestId: "t", credentials: { token: TEST_SERVICE_TOKEN, source: "cookie" } }),
    );
    expect(await viaCookie.me()).toBeNull();
  });
});

describe("password hashes made under an older policy", () => {
  /** What hashPassword stored before argon2id: scrypt N=2^15, r=8, p=1, `scrypt$N$r$p$salt$key`. */
  function legacyScryptHash(password: string): string {
    const salt = randomBytes(16);
    const key = scryptSync(password.normalize("NFKC"), salt, 32, { N: 32768, r: 8, p: 1, maxmem: 64 * 1024 * 1024 });
    return ["scrypt", 32768, 8, 1, salt.toString("base64url"), key.toString("base64url")].join("$");
  }

  async function storedHash(email: string): Promise<string> {
    const [row] = await api.db.select({ hash: t.users.passwordHash }).from(t.users).where(eq(t.users.email, email));
    if (!row) throw new Error(`no user ${email}`);
    return row.hash;
  }

  async function personWithHash(passwordHash: string): Promise<string> {
    const email = `legacy-${randomUUID()}@example.test`;
    await api.db.insert(t.users).values({ email, name: "Legacy Person", role: "customer", passwordHash });
    return email;
  }

  it("signs in with an old scrypt hash and replaces it with argon2id; a wrong password changes nothing", async () => {
    const legacy = legacyScryptHash("old but good password");
    const email = await personWithHash(legacy);

    await expect(api.anonymous.signIn({ email, password: "not the password" })).rejects.toMatchObject({
      code: "UNAUTHORIZED",
    });
    expect(await storedHash(email)).toBe(legacy);

    const session = await api.anonymous.signIn({ email, password: "old but good password" });
    expect(session.user.email).toBe(email);
    const upgraded = await storedHash(email);
    expect(upgraded).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);

    await api.anonymous.signIn({ email, password: "old but good password" });
    expect(await storedHash(email)).toBe(upgraded);
  });
});
