/**
 * "$1,234.50", as Intl.NumberFormat("en-US", { style: "currency", currency: "USD" }) writes it
 * (format.test.ts holds the two to the same text), in plain arithmetic: a page's first Intl
 * object initializes ICU, 17–30 ms of main thread on this machine and four times that on
 * Lighthouse's phone, and prices are on every buyer page's first render while nothing else
 * there needs Intl in the browser. docs/decisions/023-mobile-web.md
 */
export function formatMoney(cents: number): string {
  const whole = Math.round(Math.abs(cents));
  const dollars = String(Math.floor(whole / 100)).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return `${cents < 0 && whole > 0 ? "-" : ""}$${dollars}.${String(whole % 100).padStart(2, "0")}`;
}

// Event times: formatEventTime and formatEventDate of @ticketing/api/time (components/event-time.tsx),
// always in the venue's zone.

export function formatClock(date: Date): string {
  return date.toLocaleTimeString("en-US", { hour: "numeric", minute: "2-digit", second: "2-digit" });
}

/** "4:07" for a countdown. */
export function formatRemaining(ms: number): string {
  const total = Math.max(0, Math.ceil(ms / 1000));
  const minutes = Math.floor(total / 60);
  const seconds = total % 60;
  return `${minutes}:${String(seconds).padStart(2, "0")}`;
}

export function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}

export const statusLabels = {
  scheduled: "On sale soon",
  on_sale: "On sale",
  sold_out: "Sold out",
  cancelled: "Cancelled",
} as const;

export const bookingStatusLabels = {
  held: "Awaiting payment",
  confirmed: "Confirmed",
  expired: "Expired",
  cancelled: "Cancelled",
} as const;
