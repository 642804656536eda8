export * from "./shops";
export * from "./locations";
export * from "./catalog";
export * from "./channels";
export * from "./inventory";
export * from "./orders";
export * from "./returns";
export * from "./inbox";
