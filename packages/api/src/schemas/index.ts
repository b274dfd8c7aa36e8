export * from "./auth";
export * from "./bookings";
export * from "./common";
export * from "./events";
export * from "./operations";
export * from "./permissions";
