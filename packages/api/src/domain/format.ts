/** How money and times read in messages people receive. */

const usd = new Intl.NumberFormat("en-US", { style: "currency", currency: "USD" });
const when = new Intl.DateTimeFormat("en-GB", {
  timeZone: "UTC",
  weekday: "short",
  day: "numeric",
  month: "short",
  year: "numeric",
  hour: "2-digit",
  minute: "2-digit",
});

export const formatMoney = (cents: number) => usd.format(cents / 100);
export const formatInstant = (at: Date) => `${when.format(at)} UTC`;
export const seatLabel = (seat: { section: string; row: string; number: number }) =>
  `${seat.section} ${seat.row}-${seat.number}`;

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
