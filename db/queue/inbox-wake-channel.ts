import pg from "pg";
import { describeError } from "../safe-error-text";

/**
 * The cross-process wake of the intake loop (`npm run web` beside `npm run worker`): a web process
 * that stored deliveries sends a NOTIFY on this channel at most once every `intervalMs`, as a
 * statement of its own, never inside a delivery's transaction. A NOTIFY per delivery would make
 * every delivery's commit take PostgreSQL's global notify lock (the 5× cost measured in ADR 0015);
 * a few dozen a second, outside those commits, cost nothing measurable, and an idle worker in
 * another process claims within a millisecond or two instead of at its next poll. The poll stays
 * as the fallback: a lost notification only delays a delivery by SWITCHYARD_INTAKE_POLL_MS.
 */
export const INBOX_WAKE_CHANNEL = "switchyard_inbox";

export function createInboxNotifier(connectionString: string, intervalMs = 20): { notify(): void; close(): Promise<void> } {
  const pool = new pg.Pool({ connectionString, max: 1, connectionTimeoutMillis: 2_000 });
  pool.on("error", () => {});
  let last = 0;
  let timer: NodeJS.Timeout | undefined;
  const send = () => {
    timer = undefined;
    last = Date.now();
    pool.query(`NOTIFY ${INBOX_WAKE_CHANNEL}`).catch(() => {});
  };
  return {
    notify() {
      if (timer) return;
      const wait = last + intervalMs - Date.now();
      if (wait <= 0) send();
      else timer = setTimeout(send, wait);
    },
    async close() {
      clearTimeout(timer);
      await pool.end().catch(() => {});
    },
  };
}

/**
 * A worker's ear for the web processes' NOTIFY: one dedicated connection that LISTENs and calls
 * `onWake`, reconnecting a second after it is lost (the database restarted); until then the
 * intake loop's poll covers.
 */
export function listenForInboxWakes(connectionString: string, onWake: () => void): { stop(): Promise<void> } {
  let stopped = false;
  let client: pg.Client | undefined;
  let retry: NodeJS.Timeout | undefined;
  const connect = async () => {
    if (stopped) return;
    const next = new pg.Client({ connectionString, connectionTimeoutMillis: 2_000 });
    const reconnect = (error?: unknown) => {
      if (client !== next) return;
      client = undefined;
      next.end().catch(() => {});
      if (error && !stopped) console.error(`[intake] wake channel lost, polling until it is back: ${describeError(error)}`);
      if (!stopped) retry = setTimeout(() => void connect(), 1_000);
    };
    client = next;
    next.on("error", reconnect);
    next.on("end", () => reconnect());
    next.on("notification", (message) => {
      if (message.channel === INBOX_WAKE_CHANNEL) onWake();
    });
    try {
      await next.connect();
      await next.query(`LISTEN ${INBOX_WAKE_CHANNEL}`);
    } catch (error) {
      reconnect(error);
    }
  };
  void connect();
  return {
    async stop() {
      stopped = true;
      clearTimeout(retry);
      const current = client;
      client = undefined;
      await current?.end().catch(() => {});
    },
  };
}
