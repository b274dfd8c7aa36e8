import type { Metadata, Viewport } from "next";
import type { ReactNode } from "react";
import { SiteHeader } from "@/components/site-header";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "Ticketing", template: "%s · Ticketing" },
  description: "Find live events and book your seats.",
};

export const viewport: Viewport = { width: "device-width", initialScale: 1 };

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <a className="skip-link" href="#main">
          Skip to content
        </a>
        {/* No client-side data layer here: pages that use React Query bring their own provider. */}
        <SiteHeader />
        <main id="main">
          <div className="container">{children}</div>
        </main>
        <footer className="site-footer">
          <div className="container">Ticketing demo · payments are simulated</div>
        </footer>
      </body>
    </html>
  );
}
