import { timingSafeEqual } from "node:crypto";
import type { Database } from "@ticketing/db";
import type { CallLogger, RateLimiter, RpcMetrics, TraceContext } from "@ticketing/rpc/server";
import { findServiceAccount, findSessionUser } from "../domain/auth";
import type { Viewer } from "../domain/viewer";
import type { AvailabilityFeed } from "../live/availability-feed";
import type { EventCache } from "../runtime/event-cache";

/** How the caller proved who they are, as the transport saw it. */
export type Credentials = { token: string; source: "bearer" | "cookie" };

/** Lets sign-in and sign-out set the browser's session cookie; a no-op off the web. */
export interface SessionCookieJar {
  set(token: string, expiresAt: Date): void;
  clear(): void;
}

export interface RequestInfo {
  requestId: string;
  credentials: Credentials | null;
  /** The Idempotency-Key header, for mutations that carry their key outside the input. */
  idempotencyKey?: string | undefined;
  cookies?: SessionCookieJar | undefined;
  /** When the caller stops waiting (epoch ms, from rpc-timeout-ms); undefined: no deadline. */
  deadline?: number | undefined;
  /** The caller's network address (behind a trusted proxy, the one it forwarded). */
  clientAddress?: string | undefined;
  /** The caller's W3C trace context, continued by the call's span and by nested hops. */
  traceContext?: TraceContext | undefined;
  /** Told when a keyed mutation was answered from its stored outcome instead of running. */
  onReplay?: (() => void) | undefined;
}

/** Rate limits (per process, or per fleet through Redis); one left out is not enforced (in-process callers, tests). */
export interface RateLimits {
  /** Calls per signed-in person (the service account is not limited). */
  perUser?: RateLimiter;
  /** Sign-in attempts per address and email. */
  signIn?: RateLimiter;
  /** Sign-up attempts per address: each one costs a full password hash. */
  signUp?: RateLimiter;
}

export interface ContextFactoryOptions {
  db: Database;
  /** WORKER_TOKEN: a bearer token equal to it acts as the service account. */
  serviceToken: string;
  /** How long createBooking holds seats. */
  holdMinutes?: number;
  /**
   * Whether the database cancels a statement at `statement_timeout` (PostgreSQL does;
   * PGlite cannot, so there deadlines are checked between statements only).
   */
  statementTimeouts?: boolean;
  limits?: RateLimits;
  /** Where each call's log line and metrics go. */
  logger?: CallLogger;
  metrics?: RpcMetrics;
  /** Live seat availability (the server runs one per instance); without it, changes are only logged. */
  availability?: AvailabilityFeed;
  /** getEvent's cache, only for a store this process alone writes (see event-cache.ts). */
  eventCache?: EventCache;
}

export interface Context {
  db: Database;
  /**
   * Whether `db` is the transaction of the whole call, which rolls back if the call fails
   * (keeping only a failure the idempotency middleware answers as stored): work inside it
   * needs no transaction or savepoint of its own to undo a failure. Set by publicProcedure.
   */
  callTransaction: boolean;
  requestId: string;
  credentials: Credentials | null;
  idempotencyKey: string | undefined;
  cookies: SessionCookieJar;
  holdMinutes: number;
  deadline: number | undefined;
  /** Fires at the deadline; set by the deadline middleware for calls that have one. */
  signal: AbortSignal | undefined;
  clientAddress: string | undefined;
  traceContext: TraceContext | undefined;
  statementTimeouts: boolean;
  limits: RateLimits;
  logger: CallLogger | undefined;
  metrics: RpcMetrics | undefined;
  availability: AvailabilityFeed | undefined;
  eventCache: EventCache | undefined;
  onReplay: (() => void) | undefined;
  /**
   * Runs `fn` once the call's writes are committed (a mutation's transactions — its own,
   * the idempotency record's, the deadline's — all end before its result is sent).
   */
  afterCommit(fn: () => void): void;
  /** Who is calling, resolved on first use: public procedures never pay for the lookup. */
  resolveViewer(db?: Database): Promise<Viewer | null>;
}

const noCookies: SessionCookieJar = { set() {}, clear() {} };

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function createContextFactory(options: ContextFactoryOptions) {
  let serviceAccount: Promise<Viewer | null> | undefined;
  const lookupServiceAccount = (db: Database) => {
    serviceAccount ??= findServiceAccount(db).then((viewer) => {
      if (!viewer) serviceAccount = undefined;
      return viewer;
    });
    return serviceAccount;
  };

  return function createContext(request: RequestInfo): Context {
    let viewer: Promise<Viewer | null> | undefined;
    const { credentials } = request;
    return {
      db: options.db,
      callTransaction: false,
      requestId: request.requestId,
      credentials,
      idempotencyKey: request.idempotencyKey,
      cookies: request.cookies ?? noCookies,
      holdMinutes: options.holdMinutes ?? 10,
      deadline: request.deadline,
      signal: undefined,
      clientAddress: request.clientAddress,
      traceContext: request.traceContext,
      statementTimeouts: options.statementTimeouts ?? false,
      limits: options.limits ?? {},
      logger: options.logger,
      metrics: options.metrics,
      availability: options.availability,
      eventCache: options.eventCache,
      onReplay: request.onReplay,
      // Outside a mutation's middleware nothing is pending: run at once.
      afterCommit: (fn) => fn(),
      // Given the call's own handle, the lookup runs in the call's transaction: taking a
      // second pooled connection while holding one can exhaust the pool under load.
      resolveViewer(db = options.db) {
        viewer ??= !credentials
          ? Promise.resolve(null)
          : credentials.source === "bearer" && sameSecret(credentials.token, options.serviceToken)
            ? lookupServiceAccount(db)
            : findSessionUser(db, credentials.token);
        return viewer;
      },
    };
  };
}
