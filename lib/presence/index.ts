export * from "./types";
export * from "./connections";
export * from "./current";
export * from "./status";
export * from "./subscriptions";
export * from "./timeline";
export * from "./fold";
