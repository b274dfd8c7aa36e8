import Link from "next/link";
import { getViewer, type Viewer } from "@/trpc/server";
import { TicketIcon } from "./icons";
import { SignOutButton } from "./sign-out-button";
import { SiteMenu } from "./site-menu";

async function viewerOrNull(): Promise<Viewer | null> {
  try {
    return await getViewer();
  } catch {
    // The pages say when the API is unreachable; the header just shows "Sign in".
    return null;
  }
}

export async function SiteHeader() {
  const viewer = await viewerOrNull();
  const organizes = viewer?.role === "organizer" || viewer?.role === "admin";
  return (
    <header className="site-header">
      <div className="container site-header__inner">
        <Link href="/" className="brand">
          <TicketIcon width={24} height={24} />
          Ticketing
        </Link>
        <SiteMenu>
          <nav className="nav" aria-label="Main">
            <Link href="/">Events</Link>
            {viewer && <Link href="/bookings">My bookings</Link>}
            {organizes && <Link href="/organizer">Organizer</Link>}
          </nav>
          {viewer && (
            <div className="account">
              <span className="account__name" data-testid="signed-in-as">
                {viewer.name}
              </span>
              <SignOutButton />
            </div>
          )}
        </SiteMenu>
        {!viewer && (
          <Link href="/sign-in" className="button button--secondary button--small header-sign-in">
            Sign in
          </Link>
        )}
      </div>
    </header>
  );
}
