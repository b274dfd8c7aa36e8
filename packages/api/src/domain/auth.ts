import { createHash, randomBytes } from "node:crypto";
import {
  type Database,
  hashPassword,
  NO_PASSWORD,
  passwordNeedsRehash,
  queryRows,
  SERVICE_ACCOUNT_EMAIL,
  schema as t,
  verifyPassword,
} from "@ticketing/db";
import { and, eq, sql } from "drizzle-orm";
import { DomainError } from "./errors";
import type { Viewer } from "./viewer";

const SESSION_TTL_MS = 30 * 24 * 60 * 60 * 1000;

export interface Session {
  token: string;
  expiresAt: Date;
  user: Viewer;
}

/** Sessions are looked up by the token's SHA-256; the token itself is never stored. */
const hashToken = (token: string) => createHash("sha256").update(token).digest("hex");

const viewerColumns = { id: t.users.id, email: t.users.email, name: t.users.name, role: t.users.role };

export async function openSession(db: Database, user: Viewer): Promise<Session> {
  const token = randomBytes(32).toString("base64url");
  const expiresAt = new Date(Date.now() + SESSION_TTL_MS);
  await db.insert(t.sessions).values({ tokenHash: hashToken(token), userId: user.id, expiresAt });
  return { token, expiresAt, user };
}

export async function signUp(db: Database, input: { email: string; password: string; name: string }): Promise<Session> {
  const passwordHash = await hashPassword(input.password);
  const [user] = await db
    .insert(t.users)
    .values({ email: input.email, name: input.name, passwordHash, role: "customer" })
    .onConflictDoNothing({ target: t.users.email })
    .returning(viewerColumns);
  if (!user) throw new DomainError("CONFLICT", `An account for ${input.email} already exists. Sign in instead.`);
  return openSession(db, user);
}

// Verifying against a real hash when the email is unknown keeps both answers equally slow,
// so response time does not reveal which emails have accounts.
let decoyHash: Promise<string> | undefined;

export async function signIn(db: Database, input: { email: string; password: string }): Promise<Session> {
  const [row] = await db
    .select({ ...viewerColumns, passwordHash: t.users.passwordHash })
    .from(t.users)
    .where(eq(t.users.email, input.email));
  decoyHash ??= hashPassword(randomBytes(16).toString("hex"));
  const stored = row && row.passwordHash !== NO_PASSWORD ? row.passwordHash : await decoyHash;
  const matches = await verifyPassword(input.password, stored);
  if (!row || row.passwordHash === NO_PASSWORD || !matches) {
    throw new DomainError("UNAUTHORIZED", "Email or password is incorrect.");
  }
  const { passwordHash, ...user } = row;
  if (passwordNeedsRehash(passwordHash)) await upgradePasswordHash(db, user.id, passwordHash, input.password);
  return openSession(db, user);
}

/**
 * The only moment the password is known again: a hash made under an older policy is
 * replaced by one made under today's. Compare-and-set, so a password changed meanwhile
 * (or another sign-in's upgrade) is never overwritten.
 */
async function upgradePasswordHash(db: Database, userId: string, old: string, password: string): Promise<void> {
  const upgraded = await hashPassword(password);
  await db
    .update(t.users)
    .set({ passwordHash: upgraded })
    .where(and(eq(t.users.id, userId), eq(t.users.passwordHash, old)));
}

export async function signOut(db: Database, token: string): Promise<boolean> {
  const removed = await db
    .delete(t.sessions)
    .where(eq(t.sessions.tokenHash, hashToken(token)))
    .returning({ tokenHash: t.sessions.tokenHash });
  return removed.length > 0;
}

/**
 * Every authenticated call starts here, so it is written as SQL rather than with drizzle's
 * query builder: building a select costs the server more CPU per call than the statement
 * costs the database (docs/decisions/016, 2026-12-07).
 */
export async function findSessionUser(db: Database, token: string): Promise<Viewer | null> {
  const [user] = await queryRows<{ id: string; email: string; name: string; role: Viewer["role"] }>(
    db,
    sql`SELECT u.id, u.email, u.name, u.role FROM sessions s JOIN users u ON u.id = s.user_id
        WHERE s.token_hash = ${hashToken(token)} AND s.expires_at > now()`,
  );
  return user ?? null;
}

export async function findServiceAccount(db: Database): Promise<Viewer | null> {
  const [user] = await db
    .select(viewerColumns)
    .from(t.users)
    .where(and(eq(t.users.email, SERVICE_ACCOUNT_EMAIL), eq(t.users.role, "service")));
  return user ?? null;
}

export async function findUser(db: Database, userId: string): Promise<Viewer | null> {
  const [user] = await db.select(viewerColumns).from(t.users).where(eq(t.users.id, userId));
  return user ?? null;
}
