import { openRuntimeDatabase } from "./runtime-database";

// `npm run db:migrate`: migrates DATABASE_URL, or the embedded database when it is unset.
const database = await openRuntimeDatabase();
console.log(`[db] migrated ${database.embedded ? "embedded database" : "DATABASE_URL"}`);
await database.stop();
