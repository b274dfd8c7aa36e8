import { and, eq, inArray, ne } from "drizzle-orm";
import type { Database } from "./client";
import { stableId } from "./ids";
import { hashPassword, NO_PASSWORD, verifyPassword } from "./passwords";
import * as t from "./schema";
import { DEMO_PASSWORD, demoUsers, SERVICE_ACCOUNT_EMAIL } from "./seed-data";

/** An operator's mistake in an account command: printed as one line, never a stack. */
export class AccountError extends Error {
  override name = "AccountError";
}

const accountId = (email: string) => stableId(`user:${email}`);

/**
 * The users row that WORKER_TOKEN acts as. Every server start runs this, so a fleet
 * needs no demo seed: instances that start together on an empty database all upsert
 * the same row, and the unique email makes that one row (INSERT … ON CONFLICT waits for
 * the first insert, then updates). Whatever the row was before, it leaves as the
 * service role with no password, and any session opened on it is gone.
 */
export async function ensureServiceAccount(db: Database): Promise<void> {
  await db.transaction(async (tx) => {
    const [account] = await tx
      .insert(t.users)
      .values({
        id: accountId(SERVICE_ACCOUNT_EMAIL),
        email: SERVICE_ACCOUNT_EMAIL,
        name: "Background worker",
        role: "service",
        passwordHash: NO_PASSWORD,
      })
      .onConflictDoUpdate({ target: t.users.email, set: { role: "service", passwordHash: NO_PASSWORD } })
      .returning({ id: t.users.id });
    // The worker authenticates with its token, never a session.
    if (account) await tx.delete(t.sessions).where(eq(t.sessions.userId, account.id));
  });
}

const MIN_ADMIN_PASSWORD = 15;
const MAX_PASSWORD = 200;

/**
 * Why a password will not do for an administrator, or null when it will. An admin signs
 * in with the password alone, so NIST SP 800-63B (rev. 4) asks for 15 characters or
 * more; the rest refuses what a guesser tries first.
 */
export function adminPasswordProblem(password: string, email: string): string | null {
  const characters = [...password];
  if (characters.length === 0) return "The password is empty.";
  if (characters.length < MIN_ADMIN_PASSWORD) {
    return `The password is too short: use at least ${MIN_ADMIN_PASSWORD} characters (a few random words will do).`;
  }
  if (characters.length > MAX_PASSWORD) return `The password is too long: use at most ${MAX_PASSWORD} characters.`;
  if (new Set(characters).size < 5) return "The password repeats too few characters: use at least 5 different ones.";
  const lower = password.toLowerCase();
  if (lower.includes(DEMO_PASSWORD)) return "The password contains the public demo password.";
  const name = email.split("@")[0] ?? "";
  if (name.length >= 3 && lower.includes(name)) return "The password contains the account's email name.";
  return null;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export interface AdminAccount {
  email: string;
  name: string;
  password: string;
}

/**
 * Creates an administrator, or makes an existing account one with this new password
 * (its open sessions end: whoever held them knew the old password). Never touches the
 * service account.
 */
export async function upsertAdmin(db: Database, input: AdminAccount): Promise<"created" | "updated"> {
  const email = input.email.trim().toLowerCase();
  if (!EMAIL.test(email) || email.length > 254) throw new AccountError(`"${input.email}" is not an email address.`);
  if (email === SERVICE_ACCOUNT_EMAIL) throw new AccountError(`${email} is the worker's service account.`);
  const name = input.name.trim();
  if (name.length === 0 || name.length > 100) throw new AccountError("The name must be 1–100 characters.");
  const problem = adminPasswordProblem(input.password, email);
  if (problem) throw new AccountError(problem);
  const passwordHash = await hashPassword(input.password);
  return db.transaction(async (tx) => {
    const inserted = await tx
      .insert(t.users)
      .values({ id: accountId(email), email, name, role: "admin", passwordHash })
      .onConflictDoNothing({ target: t.users.email })
      .returning({ id: t.users.id });
    if (inserted.length > 0) return "created";
    const [existing] = await tx
      .select({ id: t.users.id, role: t.users.role })
      .from(t.users)
      .where(eq(t.users.email, email))
      .for("update");
    if (!existing) throw new AccountError(`${email} was deleted while this ran; run the command again.`);
    if (existing.role === "service") throw new AccountError(`${email} is a service account.`);
    await tx.update(t.users).set({ role: "admin", passwordHash }).where(eq(t.users.id, existing.id));
    await tx.delete(t.sessions).where(eq(t.sessions.userId, existing.id));
    return "updated";
  });
}

/**
 * The demo accounts that still open with the public demo password. Cheap enough for
 * every start: the seed gives them one shared hash, so this is one verification.
 */
export async function findPublicPasswordAccounts(db: Database): Promise<string[]> {
  const rows = await db
    .select({ email: t.users.email, passwordHash: t.users.passwordHash })
    .from(t.users)
    .where(
      and(
        inArray(
          t.users.email,
          demoUsers.map((user) => user.email),
        ),
        ne(t.users.passwordHash, NO_PASSWORD),
      ),
    );
  const hashes = [...new Set(rows.map((row) => row.passwordHash))];
  const results = await Promise.all(hashes.map((hash) => verifyPassword(DEMO_PASSWORD, hash)));
  const exposed = new Set(hashes.filter((_, i) => results[i]));
  return rows
    .filter((row) => exposed.has(row.passwordHash))
    .map((row) => row.email)
    .sort();
}
