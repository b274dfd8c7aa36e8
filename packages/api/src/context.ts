import { timingSafeEqual } from "node:crypto";
import type { Database } from "@ticketing/db";
import { findServiceAccount, findSessionUser } from "./domain/auth";
import type { Viewer } from "./domain/viewer";

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
}

export interface ContextFactoryOptions {
  db: Database;
  /** WORKER_TOKEN: a bearer token equal to it acts as the service account. */
  serviceToken: string;
  /** How long createBooking holds seats. */
  holdMinutes?: number;
}

export interface Context {
  db: Database;
  requestId: string;
  credentials: Credentials | null;
  idempotencyKey: string | undefined;
  cookies: SessionCookieJar;
  holdMinutes: number;
  /** Who is calling, resolved on first use: public procedures never pay for the lookup. */
  resolveViewer(): Promise<Viewer | null>;
}

const noCookies: SessionCookieJar = { set() {}, clear() {} };

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function createContextFactory(options: ContextFactoryOptions) {
  let serviceAccount: Promise<Viewer | null> | undefined;
  const lookupServiceAccount = () => {
    serviceAccount ??= findServiceAccount(options.db).then((viewer) => {
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
      requestId: request.requestId,
      credentials,
      idempotencyKey: request.idempotencyKey,
      cookies: request.cookies ?? noCookies,
      holdMinutes: options.holdMinutes ?? 10,
      resolveViewer() {
        viewer ??= !credentials
          ? Promise.resolve(null)
          : credentials.source === "bearer" && sameSecret(credentials.token, options.serviceToken)
            ? lookupServiceAccount()
            : findSessionUser(options.db, credentials.token);
        return viewer;
      },
    };
  };
}
