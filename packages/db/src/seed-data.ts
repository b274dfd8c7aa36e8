/** The demo world: venues with real seat maps, the events on sale there, the people who use it. */

interface SectionPlan {
  name: string;
  rows: string[];
  seatsPerRow: number;
  tier: string;
  /** The first rows of the section sell in this tier instead. */
  frontRows?: { count: number; tier: string };
}

export interface VenuePlan {
  key: string;
  name: string;
  city: string;
  /** IANA zone of the city: the seed's shows start at 7:30 PM there. */
  timeZone: string;
  tiers: { tier: string; name: string; priceCents: number }[];
  sections: SectionPlan[];
}

export interface EventPlan {
  key: string;
  name: string;
  description: string;
  venue: string;
  daysFromNow: number;
  status: "scheduled" | "on_sale" | "sold_out" | "cancelled";
  organizer: string;
  /** Seats already sold to other patrons when the seed runs: "all", or all but this many. */
  sold?: "all" | { allBut: number };
  /** A confirmed booking for a demo account, so "My bookings" is not empty on first start. */
  demoBooking?: { email: string; section: string; row: string; seats: number };
}

const letters = (from: string, to: string) =>
  Array.from({ length: to.charCodeAt(0) - from.charCodeAt(0) + 1 }, (_, i) =>
    String.fromCharCode(from.charCodeAt(0) + i),
  );
const numbers = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => String(from + i));

export const DEMO_PASSWORD = "demo-password";
export const SERVICE_ACCOUNT_EMAIL = "worker@ticketing.internal";

export const demoUsers = [
  { email: "alice@example.com", name: "Alice Moreau", role: "customer" },
  { email: "bob@example.com", name: "Bob Okafor", role: "customer" },
  { email: "olivia@example.com", name: "Olivia Chen", role: "organizer" },
  { email: "omar@example.com", name: "Omar Haddad", role: "organizer" },
  { email: "admin@example.com", name: "Ada Admin", role: "admin" },
] as const;

/** People who bought the seats that are already gone; they cannot sign in. */
export const patronCount = 16;

export const venuePlans: VenuePlan[] = [
  {
    key: "harbor-hall",
    name: "Harbor Hall",
    city: "Portland",
    timeZone: "America/Los_Angeles",
    tiers: [
      { tier: "premium", name: "Premium", priceCents: 12900 },
      { tier: "standard", name: "Standard", priceCents: 8900 },
      { tier: "balcony", name: "Balcony", priceCents: 4900 },
    ],
    sections: [
      {
        name: "Orchestra",
        rows: letters("A", "P"),
        seatsPerRow: 24,
        tier: "standard",
        frontRows: { count: 5, tier: "premium" },
      },
      { name: "Mezzanine", rows: letters("A", "H"), seatsPerRow: 20, tier: "standard" },
      { name: "Balcony", rows: letters("A", "F"), seatsPerRow: 18, tier: "balcony" },
    ],
  },
  {
    key: "northgate-arena",
    name: "Northgate Arena",
    city: "Manchester",
    timeZone: "Europe/London",
    tiers: [
      { tier: "floor", name: "Floor", priceCents: 15000 },
      { tier: "lower", name: "Lower bowl", priceCents: 9500 },
      { tier: "upper", name: "Upper bowl", priceCents: 5500 },
    ],
    sections: [
      { name: "Floor", rows: numbers(1, 20), seatsPerRow: 30, tier: "floor" },
      ...["101", "102", "103", "104"].map((name) => ({
        name,
        rows: letters("A", "P"),
        seatsPerRow: 20,
        tier: "lower",
      })),
      ...["201", "202", "203", "204"].map((name) => ({
        name,
        rows: letters("A", "L"),
        seatsPerRow: 24,
        tier: "upper",
      })),
    ],
  },
  {
    key: "lantern-room",
    name: "The Lantern Room",
    city: "Austin",
    timeZone: "America/Chicago",
    tiers: [
      { tier: "front", name: "Front rows", priceCents: 4500 },
      { tier: "general", name: "General", priceCents: 3000 },
    ],
    sections: [
      {
        name: "Stalls",
        rows: letters("A", "J"),
        seatsPerRow: 16,
        tier: "general",
        frontRows: { count: 3, tier: "front" },
      },
      { name: "Gallery", rows: letters("A", "D"), seatsPerRow: 12, tier: "general" },
    ],
  },
];

export const eventPlans: EventPlan[] = [
  {
    key: "midnight-orchestra",
    name: "Midnight Orchestra — Winter Tour",
    description: "A cinematic evening of film scores and new symphonic works, with a 60-piece orchestra and choir.",
    venue: "northgate-arena",
    daysFromNow: 21,
    status: "on_sale",
    organizer: "olivia@example.com",
    demoBooking: { email: "alice@example.com", section: "Floor", row: "5", seats: 2 },
  },
  {
    key: "harbor-jazz",
    name: "Harbor Jazz Sessions",
    description: "Three quartets, one long night by the water. Almost every seat is gone.",
    venue: "harbor-hall",
    daysFromNow: 9,
    status: "on_sale",
    organizer: "olivia@example.com",
    sold: { allBut: 10 },
  },
  {
    key: "lantern-comedy",
    name: "Lantern Comedy Night",
    description: "Five comics, no safety net. Sold out weeks ago.",
    venue: "lantern-room",
    daysFromNow: 5,
    status: "sold_out",
    organizer: "omar@example.com",
    sold: "all",
  },
  {
    key: "aurora-ballet",
    name: "Aurora Ballet: The Firebird",
    description: "Stravinsky's fairy-tale ballet in a new staging. Tickets go on sale soon.",
    venue: "harbor-hall",
    daysFromNow: 60,
    status: "scheduled",
    organizer: "olivia@example.com",
  },
  {
    key: "city-lights",
    name: "City Lights Indie Fest",
    description: "Eight bands across one evening, from dream pop to post-punk.",
    venue: "northgate-arena",
    daysFromNow: 35,
    status: "on_sale",
    organizer: "omar@example.com",
  },
  {
    key: "lena-park",
    name: "Acoustic Evenings: Lena Park",
    description: "Songs from the new record, stripped back, in the city's most intimate room.",
    venue: "lantern-room",
    daysFromNow: 14,
    status: "on_sale",
    organizer: "olivia@example.com",
  },
  {
    key: "winter-gala",
    name: "Winter Gala",
    description: "Cancelled by the organizer; every ticket holder has been refunded.",
    venue: "harbor-hall",
    daysFromNow: 40,
    status: "cancelled",
    organizer: "omar@example.com",
  },
];
