import type { AppRouter } from "@ticketing/api";
import { createTRPCClient, httpBatchLink, TRPCClientError } from "@trpc/client";
import superjson from "superjson";

/** A vanilla tRPC client of the router, the way every TypeScript program would make one. */
export function clientFor(url: string, token?: string) {
  return createTRPCClient<AppRouter>({
    links: [
      httpBatchLink({
        url: `${url}/trpc`,
        transformer: superjson,
        headers: () => (token ? { authorization: `Bearer ${token}` } : {}),
      }),
    ],
  });
}

export type Client = ReturnType<typeof clientFor>;

export async function signIn(url: string, email: string, password = "demo-password") {
  const session = await clientFor(url).signIn.mutate({ email, password });
  return { session, client: clientFor(url, session.token) };
}

/** The error code a failed call carried (BAD_REQUEST, CONFLICT…), or "ok". */
export async function codeOf(call: Promise<unknown>): Promise<string> {
  try {
    await call;
    return "ok";
  } catch (error) {
    if (error instanceof TRPCClientError) {
      // No data means no tRPC answer at all: name the transport failure so a test says what happened.
      const data = error.data as { code?: string } | undefined;
      return data?.code ?? `no answer: ${error.message}`;
    }
    throw error;
  }
}
