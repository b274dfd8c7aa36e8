"use client";

import { useEffect, useState } from "react";
import { formatRemaining } from "@/lib/format";
import { ClockIcon } from "./icons";

/** Time left on a hold, ticking each second; says so when it has run out. */
export function useRemaining(until: Date): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  return until.getTime() - now;
}

export function Countdown({ remaining }: { remaining: number }) {
  const urgent = remaining < 60_000;
  return (
    <div className={`countdown${urgent ? " countdown--urgent" : ""}`} role="timer" aria-live="off">
      <ClockIcon />
      <span>
        Your seats are held for{" "}
        <time suppressHydrationWarning data-testid="hold-countdown">
          {formatRemaining(remaining)}
        </time>
      </span>
    </div>
  );
}
