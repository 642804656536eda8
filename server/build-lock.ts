import fs from "node:fs";
import path from "node:path";

/** A lock left behind longer than this belongs to a build that was killed. */
const ABANDONED_AFTER_MS = 10 * 60_000;

/**
 * Runs `fn` holding a lock on the admin's build directory across processes (a directory made
 * atomically beside it). Test files run in parallel processes and each may find the build
 * stale: two builds at once empty build/ under a server already serving it, whose pages then
 * ask for assets that are gone. Waiting is synchronous, as the build it waits for is.
 */
export function withBuildLock<T>(root: string, fn: () => T): T {
  const lock = path.join(root, ".build.lock");
  const sleeper = new Int32Array(new SharedArrayBuffer(4));
  for (;;) {
    try {
      fs.mkdirSync(lock);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    const heldFor = Date.now() - (fs.statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
    if (heldFor > ABANDONED_AFTER_MS) fs.rmSync(lock, { recursive: true, force: true });
    else Atomics.wait(sleeper, 0, 0, 250);
  }
  try {
    return fn();
  } finally {
    fs.rmSync(lock, { recursive: true, force: true });
  }
}
