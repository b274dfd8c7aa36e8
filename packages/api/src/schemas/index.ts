export * from "./auth";
export * from "./bookings";
export * from "./common";
export * from "./events";
export * from "./imports";
export * from "./operations";
export * from "./permissions";
