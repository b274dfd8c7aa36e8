"use client";

import { type FormEvent, useId, useState } from "react";
import { describeError, errorCode, fieldErrors } from "@/lib/errors";
import { useAction } from "@/lib/remote-data";
import { firstFieldErrors, loadSchemas, warmUpForm } from "@/lib/schemas";
import { rpc } from "@/trpc/browser";
import { AlertIcon } from "./icons";

const DEMO_PASSWORD = "demo-password";

const demoAccounts = [
  { email: "alice@example.com", name: "Alice Moreau", role: "Customer" },
  { email: "bob@example.com", name: "Bob Okafor", role: "Customer" },
  { email: "olivia@example.com", name: "Olivia Chen", role: "Organizer" },
  { email: "omar@example.com", name: "Omar Haddad", role: "Organizer" },
  { email: "admin@example.com", name: "Ada Admin", role: "Admin" },
];

type Fields = { email?: string; password?: string };

export function SignInForm({ returnTo }: { returnTo: string }) {
  const emailId = useId();
  const passwordId = useId();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [localErrors, setLocalErrors] = useState<Fields>({});

  // Set once signed in: the button stays "Signing in…" while the next page loads.
  const [leaving, setLeaving] = useState(false);
  const signIn = useAction(async (input: { email: string; password: string }) => {
    await (await rpc()).signIn.mutate(input);
    setLeaving(true);
    // A full load, so every page starts over as the person who just signed in.
    window.location.assign(returnTo);
  });

  const serverErrors: Fields = fieldErrors(signIn.error);
  const errors = { ...serverErrors, ...localErrors };
  const formError = signIn.error && errorCode(signIn.error) !== "BAD_REQUEST" ? describeError(signIn.error) : null;

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    // Should the schema not load, the server checks the same schema and its answer shows instead.
    const schemas = await loadSchemas().catch(() => null);
    const parsed = schemas?.signInInput.safeParse({ email, password });
    if (parsed && !parsed.success) {
      const fields = firstFieldErrors(parsed.error.issues);
      setLocalErrors({ email: fields.email, password: fields.password });
      return;
    }
    setLocalErrors({});
    void signIn.run(parsed?.data ?? { email, password });
  };

  const fillAccount = (account: string) => {
    setEmail(account);
    setPassword(DEMO_PASSWORD);
    setLocalErrors({});
    signIn.reset();
  };

  return (
    <div className="auth-layout">
      <section className="card" aria-labelledby="sign-in-heading">
        <h1 id="sign-in-heading">Sign in</h1>
        {returnTo !== "/" && <p className="muted">Sign in to continue where you left off.</p>}
        {formError && (
          <div className="alert alert--error" role="alert">
            <AlertIcon />
            <p className="alert__body">{formError}</p>
          </div>
        )}
        <form noValidate onSubmit={submit} onFocus={warmUpForm}>
          <div className="field">
            <label htmlFor={emailId}>Email</label>
            <input
              id={emailId}
              className="input"
              type="email"
              name="email"
              autoComplete="email"
              value={email}
              aria-invalid={errors.email ? true : undefined}
              aria-describedby={errors.email ? `${emailId}-error` : undefined}
              onChange={(event) => setEmail(event.target.value)}
            />
            {errors.email && (
              <p id={`${emailId}-error`} className="field__error">
                {errors.email}
              </p>
            )}
          </div>
          <div className="field">
            <label htmlFor={passwordId}>Password</label>
            <input
              id={passwordId}
              className="input"
              type="password"
              name="password"
              autoComplete="current-password"
              value={password}
              aria-invalid={errors.password ? true : undefined}
              aria-describedby={errors.password ? `${passwordId}-error` : undefined}
              onChange={(event) => setPassword(event.target.value)}
            />
            {errors.password && (
              <p id={`${passwordId}-error`} className="field__error">
                {errors.password}
              </p>
            )}
          </div>
          <button type="submit" className="button button--block" disabled={signIn.isPending || leaving}>
            {signIn.isPending || leaving ? "Signing in…" : "Sign in"}
          </button>
        </form>
      </section>
      <section className="card" aria-labelledby="demo-heading">
        <h2 id="demo-heading">Demo accounts</h2>
        <p className="muted">
          Every demo account uses the password <code>{DEMO_PASSWORD}</code>.
        </p>
        <ul className="demo-accounts">
          {demoAccounts.map((account) => (
            <li key={account.email}>
              <div>
                <strong>{account.name}</strong>
                <small>
                  {account.email} · {account.role}
                </small>
              </div>
              <button
                type="button"
                className="button button--secondary button--small"
                aria-label={`Use ${account.name}'s account`}
                onClick={() => fillAccount(account.email)}
              >
                Use
              </button>
            </li>
          ))}
        </ul>
      </section>
    </div>
  );
}
