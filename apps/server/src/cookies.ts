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

/** The session cookie's attributes: httpOnly (no script reads it) and SameSite=Lax (no cross-site POST carries it). */
const cookieAttributes = (secure: boolean) => `Path=/; HttpOnly; SameSite=Lax${secure ? "; Secure" : ""}`;

/** Sets and clears the session cookie on one response's headers. */
class ResponseCookieJar implements SessionCookieJar {
  constructor(
    private readonly resHeaders: Headers,
    private readonly attributes: string,
  ) {}
  set(token: string, expiresAt: Date): void {
    this.resHeaders.append(
      "set-cookie",
      `${SESSION_COOKIE}=${encodeURIComponent(token)}; Expires=${expiresAt.toUTCString()}; ${this.attributes}`,
    );
  }
  clear(): void {
    this.resHeaders.append("set-cookie", `${SESSION_COOKIE}=; Max-Age=0; ${this.attributes}`);
  }
}

/** The session cookie jar of a response; `secure` adds the Secure attribute (HTTPS deployments). */
export function sessionCookieJars(secure: boolean): (resHeaders: Headers) => SessionCookieJar {
  const attributes = cookieAttributes(secure);
  return (resHeaders) => new ResponseCookieJar(resHeaders, attributes);
}
