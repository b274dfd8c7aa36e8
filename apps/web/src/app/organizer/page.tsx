import type { Metadata } from "next";
import Link from "next/link";
import { ImportUpload } from "@/components/import-upload";
import { OrganizerSales } from "@/components/organizer-sales";
import { TRPCReactProvider } from "@/trpc/client";
import { Hydrate } from "@/trpc/hydrate";
import { getQueryClient, getTRPC, requireViewer } from "@/trpc/server";

export const metadata: Metadata = { title: "Organizer" };

export default async function OrganizerPage() {
  const viewer = await requireViewer("/organizer");
  if (viewer.role !== "organizer" && viewer.role !== "admin") {
    return (
      <div className="narrow card">
        <h1>Organizer</h1>
        <p className="muted">Only organizers and admins have events to manage. You are signed in as a customer.</p>
        <Link href="/" className="button">
          Browse events
        </Link>
      </div>
    );
  }
  const trpc = await getTRPC();
  const queryClient = getQueryClient();
  // Awaited, so the first HTML already holds the sales; the page keeps them live from there.
  const { items } = await queryClient.fetchQuery(trpc.listOrganizedEvents.queryOptions());
  await Promise.all(
    items.map((event) => queryClient.fetchQuery(trpc.getSalesSummary.queryOptions({ eventId: event.id }))),
  );

  return (
    // The organizer's page is the one that keeps React Query: live sales across many events and
    // an upload, for a few organizers at a desk; the buyer's pages load without it.
    <TRPCReactProvider>
      <Hydrate>
        <OrganizerSales isAdmin={viewer.role === "admin"} name={viewer.name} />
        <ImportUpload />
      </Hydrate>
    </TRPCReactProvider>
  );
}
