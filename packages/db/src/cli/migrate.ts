import { openDatabase } from "../client";
import { migrateDatabase } from "../migrate";
import { runCommand } from "./run";

runCommand(async () => {
  const handle = await openDatabase(process.env.DATABASE_URL);
  try {
    await migrateDatabase(handle);
    console.log(`Migrations applied to ${handle.description}.`);
  } finally {
    await handle.close();
  }
});
