"use client";

import { usePathname } from "next/navigation";
import { type ReactNode, useState } from "react";
import { MenuIcon, XIcon } from "./icons";

/**
 * The header's links and account on a phone: one Menu button opens them under the header.
 * On wider screens the button is hidden and the same links stand in the header (CSS), so the
 * markup, and what assistive technology reads, is the same at every width.
 */
export function SiteMenu({ children }: { children: ReactNode }) {
  const pathname = usePathname();
  // Open on the page where it was opened: following one of its links closes it.
  const [openOn, setOpenOn] = useState<string | null>(null);
  const open = openOn === pathname;
  return (
    <>
      <button
        type="button"
        className="menu-button"
        aria-expanded={open}
        aria-controls="site-menu"
        onClick={() => setOpenOn(open ? null : pathname)}
      >
        {open ? <XIcon /> : <MenuIcon />}
        <span>Menu</span>
      </button>
      <div id="site-menu" className="site-menu" data-open={open}>
        {children}
      </div>
    </>
  );
}
