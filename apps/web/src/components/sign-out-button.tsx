"use client";

import { useAction } from "@/lib/remote-data";
import { rpc } from "@/trpc/browser";

export function SignOutButton() {
  const signOut = useAction(async () => {
    await (await rpc()).signOut.mutate().finally(() => {
      // A full load drops everything the page holds for the person who just left.
      window.location.assign("/");
    });
  });
  return (
    <button
      type="button"
      className="button button--secondary button--small"
      onClick={() => void signOut.run()}
      disabled={signOut.isPending}
    >
      Sign out
    </button>
  );
}
