import { rpc } from "@/trpc/browser";

/**
 * The API's input schemas (zod), loaded on first use rather than with the page: zod is ~30 kB
 * gzip, more than the rest of a form page's own code, and only a submit needs it. Forms warm
 * it when they are first touched, so the check itself does not wait.
 */
let schemas: Promise<typeof import("@ticketing/api/schemas")> | undefined;

export function loadSchemas() {
  schemas ??= import("@ticketing/api/schemas");
  return schemas;
}

/** The first message per field of a failed parse, as the server's BAD_REQUEST gives them. */
export function firstFieldErrors(issues: readonly { path: readonly PropertyKey[]; message: string }[]) {
  const errors: Record<string, string> = {};
  for (const issue of issues) {
    const field = issue.path[0];
    if (typeof field === "string") errors[field] ??= issue.message;
  }
  return errors;
}

/**
 * A form's first focus loads what its submit needs, the schemas and the tRPC client
 * (trpc/browser.ts), so the submit itself does not wait for either.
 */
export function warmUpForm(): void {
  void loadSchemas().catch(() => {});
  void rpc().catch(() => {});
}
