/** Where apps/server listens, read per request so one build serves any deployment. */
export function apiUrl(): string {
  return (process.env.API_URL ?? "http://127.0.0.1:4000").replace(/\/+$/, "");
}
