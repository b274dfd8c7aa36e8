"use client";

import { useMutation } from "@tanstack/react-query";
import { useTRPC } from "@/trpc/client";

export function SignOutButton() {
  const trpc = useTRPC();
  const signOut = useMutation(
    trpc.signOut.mutationOptions({
      // A full load drops everything cached for the person who just left.
      onSettled: () => window.location.assign("/"),
    }),
  );
  return (
    <button
      type="button"
      className="button button--secondary button--small"
      onClick={() => signOut.mutate()}
      disabled={signOut.isPending}
    >
      Sign out
    </button>
  );
}
