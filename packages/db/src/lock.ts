import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from "node:fs";

export class DatabaseLockedError extends Error {
  override name = "DatabaseLockedError";
}

function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * PGlite is one process's database and takes no lock of its own, so two processes
 * opening one directory would corrupt it. A lock file beside the directory, holding the
 * owner's pid, turns that into a clear refusal; a lock left by a dead process is taken over.
 */
export function acquireDirectoryLock(lockPath: string, dataDirectory: string): () => void {
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(lockPath, "wx");
      writeSync(fd, String(process.pid));
      closeSync(fd);
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        process.off("exit", release);
        try {
          unlinkSync(lockPath);
        } catch {
          // Already gone: nothing to release.
        }
      };
      process.on("exit", release);
      return release;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const owner = Number.parseInt(readFileSync(lockPath, "utf8"), 10);
      if (Number.isInteger(owner) && owner > 0 && processIsAlive(owner)) {
        const who = owner === process.pid ? "this process" : `process ${owner}`;
        throw new DatabaseLockedError(
          `The embedded database at ${dataDirectory} is already open in ${who}. ` +
            "PGlite serves one process at a time: stop that process first, or point " +
            "DATABASE_URL at PostgreSQL (postgres://…) to share one database between processes.",
        );
      }
      try {
        unlinkSync(lockPath);
      } catch {
        // Another process removed the stale lock first; try again.
      }
    }
  }
  throw new DatabaseLockedError(`Could not take the lock ${lockPath} for ${dataDirectory}.`);
}
