"use client";

import { useRouter } from "next/navigation";
import { startTransition } from "react";
import { AlertIcon, RefreshIcon } from "@/components/icons";

export default function ErrorPage({ reset }: { error: Error; reset: () => void }) {
  const router = useRouter();
  return (
    <div className="narrow card" role="alert">
      <h1>We could not load this page</h1>
      <p className="muted">
        <AlertIcon /> The ticketing service did not answer. It may be restarting; your bookings are safe.
      </p>
      <button
        type="button"
        className="button"
        onClick={() =>
          startTransition(() => {
            router.refresh();
            reset();
          })
        }
      >
        <RefreshIcon /> Try again
      </button>
    </div>
  );
}
