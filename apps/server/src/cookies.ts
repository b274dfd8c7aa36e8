import type { IncomingMessage } from "node:http";
import type { Credentials, SessionCookieJar } from "@ticketing/api";

const SESSION_COOKIE = "session";

function decodeCookieValue(value: string): string | undefined {
  try {
    return decodeURIComponent(value);
  } catch {
    return undefined;
  }
}

/** Bearer token first (API clients, the worker), else the web app's session cookie. */
export function credentialsOf(req: IncomingMessage): Credentials | null {
  const authorization = req.headers.authorization;
  if (authorization?.startsWith("Bearer ")) {
    const token = authorization.slice("Bearer ".length).trim();
    if (token) return { token, source: "bearer" };
  }
  const cookie = req.headers.cookie;
  if (cookie) {
    for (const part of cookie.split(";")) {
      const [name, ...value] = part.trim().split("=");
      if (name === SESSION_COOKIE && value.length > 0) {
        const token = decodeCookieValue(value.join("="));
        // A value that is not valid percent-encoding is no session of ours: the caller is anonymous.
        if (token) return { token, source: "cookie" };
      }
    }
  }
  return null;
}

/** The session cookie: httpOnly (no script reads it) and SameSite=Lax (no cross-site POST carries it). */
export function sessionCookieJar(resHeaders: Headers, secure: boolean): SessionCookieJar {
  const attributes = `Path=/; HttpOnly; SameSite=Lax${secure ? "; Secure" : ""}`;
  return {
    set(token, expiresAt) {
      resHeaders.append(
        "set-cookie",
        `${SESSION_COOKIE}=${encodeURIComponent(token)}; Expires=${expiresAt.toUTCString()}; ${attributes}`,
      );
    },
    clear() {
      resHeaders.append("set-cookie", `${SESSION_COOKIE}=; Max-Age=0; ${attributes}`);
    },
  };
}
