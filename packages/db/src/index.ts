/**
 * @ticketing/db: the database. The drizzle schema and its committed SQL migrations (drizzle/),
 * handles on PGlite or PostgreSQL, transactions ended by a returned value (runTransaction),
 * LISTEN/NOTIFY, raw-SQL rows, accounts and passwords, the demo seed. Other entry points:
 * ./schema, ./paths, ./zoned-time, ./testing (in-memory and scratch databases).
 *
 * It is the bottom of the stack: it imports no other workspace package (@ticketing/*) and
 * nothing of tRPC. Who may do what, and what a procedure answers, are decided above it in
 * @ticketing/api.
 */
export {
  AccountError,
  type AdminAccount,
  adminPasswordProblem,
  ensureServiceAccount,
  findPublicPasswordAccounts,
  upsertAdmin,
} from "./accounts";
export {
  type Database,
  type DatabaseHandle,
  DatabaseUrlError,
  openDatabase,
  parseDatabaseUrl,
  redactUrl,
  type Schema,
  type StoreLocation,
  type Transaction,
} from "./client";
export { stableId } from "./ids";
export { createEventInventory } from "./inventory";
export { type ListenOptions, listen, type NotificationListener } from "./listen";
export { DatabaseLockedError } from "./lock";
export { loggableError } from "./log-errors";
export { checkReadiness, migrateDatabase, type Readiness } from "./migrate";
export { hashPassword, NO_PASSWORD, PASSWORD_POLICY, passwordNeedsRehash, verifyPassword } from "./passwords";
export { dataDir, repoRoot } from "./paths";
export { queryRows } from "./query";
export * as schema from "./schema";
export { findSeatCountMismatches, type SeatCountMismatch } from "./seat-counts";
export { eventId, type SeedSummary, seedDemo, userId, venueId } from "./seed";
export { DEMO_PASSWORD, demoUsers, eventPlans, SERVICE_ACCOUNT_EMAIL, venuePlans } from "./seed-data";
export { runTransaction, type TransactionEnd } from "./transaction";
