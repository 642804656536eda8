// Moved to core/shared (the EasyPost connector converts carrier rates the same way); kept so
// Shopify code and other helpers' branches importing it from here keep working.
export * from "../../core/shared/decimal-money.js";
