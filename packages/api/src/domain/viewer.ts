export type Role = "customer" | "organizer" | "admin" | "service";

/** The person (or service) a call is made for. */
export interface Viewer {
  id: string;
  email: string;
  name: string;
  role: Role;
}
