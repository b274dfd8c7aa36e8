/** The input of the My bookings list: the server's prefetch and the browser's query share it, so they share a cache entry. */
export const myBookingsInput = { limit: 50 };
