/** How money and times read in messages people receive. */

const usd = new Intl.NumberFormat("en-US", { style: "currency", currency: "USD" });
export const formatMoney = (cents: number) => usd.format(cents / 100);
export const seatLabel = (seat: { section: string; row: string; number: number }) =>
  `${seat.section} ${seat.row}-${seat.number}`;

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
