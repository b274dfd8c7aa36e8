import "server-only";
import type { RouterOutputs } from "@ticketing/api";
import { notFound } from "next/navigation";
import { errorCode } from "@/lib/errors";
import { isUuid } from "@/lib/ids";
import { getQueryClient, getTRPC, requireViewer } from "@/trpc/server";

export type Booking = RouterOutputs["getBooking"];

/**
 * The booking a page is about, for its signed-in owner. Someone else's booking reads as
 * not found: the page does not confirm that it exists.
 */
export async function loadBookingForPage(bookingId: string, path: string): Promise<Booking> {
  await requireViewer(path);
  if (!isUuid(bookingId)) notFound();
  const trpc = await getTRPC();
  try {
    return await getQueryClient().fetchQuery(trpc.getBooking.queryOptions({ bookingId }));
  } catch (error) {
    const code = errorCode(error);
    if (code === "NOT_FOUND" || code === "FORBIDDEN") notFound();
    throw error;
  }
}
