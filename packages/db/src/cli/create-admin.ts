import { parseArgs } from "node:util";
import { AccountError, adminPasswordProblem, upsertAdmin } from "../accounts";
import { openDatabase } from "../client";
import { migrateDatabase } from "../migrate";
import { runCommand } from "./run";

const USAGE = `usage: npm run admin:create -- --email <address> [--name <name>]

Creates an administrator (or makes an existing account one, with the new password).
The password comes from ADMIN_PASSWORD, or else from stdin:
  printf '%s' "$PASSWORD" | npm run admin:create -- --email ops@example.org
It needs 15+ characters; a passphrase of a few random words is good.`;

/** Everything on stdin, without the one line break that `echo` or a heredoc adds. */
async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks)
    .toString("utf8")
    .replace(/\r?\n$/, "");
}

async function readPassword(): Promise<string> {
  const fromEnv = process.env.ADMIN_PASSWORD;
  if (fromEnv) return fromEnv;
  // Reading a terminal would echo the password as it is typed.
  if (process.stdin.isTTY) {
    throw new AccountError(`No password given: set ADMIN_PASSWORD or pipe it on stdin.\n${USAGE}`);
  }
  const fromStdin = await readStdin();
  if (fromStdin === "") throw new AccountError(`No password given: set ADMIN_PASSWORD or pipe it on stdin.\n${USAGE}`);
  return fromStdin;
}

runCommand(async () => {
  let values: { email?: string | undefined; name?: string | undefined; help?: boolean | undefined };
  try {
    ({ values } = parseArgs({
      options: { email: { type: "string" }, name: { type: "string" }, help: { type: "boolean", short: "h" } },
    }));
  } catch (error) {
    throw new AccountError(`${(error as Error).message}\n${USAGE}`);
  }
  if (values.help) {
    console.log(USAGE);
    return;
  }
  if (!values.email) throw new AccountError(`--email is required.\n${USAGE}`);
  const password = await readPassword();
  // Before opening the store: a weak password is the answer, whatever the database says.
  const problem = adminPasswordProblem(password, values.email.trim().toLowerCase());
  if (problem) throw new AccountError(problem);
  const handle = await openDatabase(process.env.DATABASE_URL);
  try {
    await migrateDatabase(handle);
    const outcome = await upsertAdmin(handle.db, {
      email: values.email,
      name: values.name ?? "Administrator",
      password,
    });
    console.log(
      outcome === "created"
        ? `Created the admin ${values.email.trim().toLowerCase()} in ${handle.description}.`
        : `${values.email.trim().toLowerCase()} in ${handle.description} is now an admin with the new password; its sessions were ended.`,
    );
  } finally {
    await handle.close();
  }
});
