import { openDatabase } from "../client";
import { migrateDatabase } from "../migrate";
import { seedDemo } from "../seed";
import { runCommand } from "./run";

runCommand(async () => {
  const handle = await openDatabase(process.env.DATABASE_URL);
  try {
    await migrateDatabase(handle);
    const added = await seedDemo(handle.db);
    const total = Object.values(added).reduce((sum, n) => sum + n, 0);
    console.log(
      total === 0
        ? `Demo data already present in ${handle.description}; nothing changed.`
        : `Seeded ${handle.description}: ${added.users} users, ${added.venues} venues (${added.seats} seats), ` +
            `${added.events} events, ${added.bookings} bookings.`,
    );
  } finally {
    await handle.close();
  }
});
