/**
 * Enqueues background work. Implementations are bound to the caller's database transaction
 * (graphile-worker's add_job on the same client), so the state change and the jobs it causes
 * commit or roll back together (rule 4). Never hand the core a queue on a separate connection.
 */
export interface JobOptions {
  /**
   * De-duplicates jobs: adding a job whose key is already queued updates that job instead of
   * adding a second, which is how bursts of stock changes coalesce into one sync.
   */
  readonly jobKey?: string;
  /**
   * replace: the newest payload and run time win (debounce).
   * preserve_run_at: keep the first run time so a steady stream of changes cannot starve the job.
   */
  readonly jobKeyMode?: "replace" | "preserve_run_at";
  /** Earliest time to run; used for retries after a channel's Retry-After. */
  readonly runAt?: Date;
  readonly maxAttempts?: number;
  /** Jobs in one queue run one at a time, e.g. one sync per channel connection. */
  readonly queueName?: string;
  /** Lower runs first, as in graphile-worker. */
  readonly priority?: number;
}

/**
 * `Tasks` maps task names to payload types so a caller cannot enqueue a payload the task will
 * reject; jobs/ supplies its own map.
 */
export interface JobQueue<Tasks extends Record<string, unknown> = Record<string, unknown>> {
  add<T extends keyof Tasks & string>(task: T, payload: Tasks[T], options?: JobOptions): Promise<void>;
}
