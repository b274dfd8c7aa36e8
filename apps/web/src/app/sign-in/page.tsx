import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { SignInForm } from "@/components/sign-in-form";
import { safeReturnPath } from "@/lib/errors";
import { getViewer } from "@/trpc/server";

export const metadata: Metadata = { title: "Sign in" };

export default async function SignInPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[]>>;
}) {
  const { next } = await searchParams;
  const returnTo = safeReturnPath(typeof next === "string" ? next : undefined);
  if (await getViewer().catch(() => null)) redirect(returnTo);
  return <SignInForm returnTo={returnTo} />;
}
