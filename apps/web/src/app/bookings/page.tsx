import type { Metadata } from "next";
import { MyBookings } from "@/components/my-bookings";
import { myBookingsInput } from "@/lib/my-bookings";
import { getQueryClient, getTRPC, requireViewer } from "@/trpc/server";

export const metadata: Metadata = { title: "My bookings" };

export default async function BookingsPage() {
  await requireViewer("/bookings");
  const trpc = await getTRPC();
  const bookings = await getQueryClient().fetchQuery(trpc.listMyBookings.queryOptions(myBookingsInput));
  return (
    <>
      <div className="page-header">
        <div>
          <h1>My bookings</h1>
          <p>Your tickets, holds awaiting payment, and past bookings.</p>
        </div>
      </div>
      <MyBookings initial={bookings} />
    </>
  );
}
