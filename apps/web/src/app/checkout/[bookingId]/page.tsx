import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { Checkout } from "@/components/checkout";
import { loadBookingForPage } from "@/lib/booking-page";

export const metadata: Metadata = { title: "Checkout" };

export default async function CheckoutPage({ params }: { params: Promise<{ bookingId: string }> }) {
  const { bookingId } = await params;
  const booking = await loadBookingForPage(bookingId, `/checkout/${bookingId}`);
  if (booking.status === "confirmed") redirect(`/bookings/${bookingId}`);
  return <Checkout bookingId={bookingId} initialBooking={booking} />;
}
