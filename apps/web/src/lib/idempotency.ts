/** A fresh key for one user intent (a Book click sequence, one form submission), sent as Idempotency-Key. */
export function newIdempotencyKey(): string {
  return crypto.randomUUID();
}
