/**
 * Expected failures are values, bugs are exceptions (rule 8). A `Result` carries either the
 * value or a typed reason string, so callers must branch on `ok` and the compiler lists every
 * reason they might have to show a merchant.
 */

export type Ok<T> = { readonly ok: true; readonly value: T };
export type Err<R extends string> = {
  readonly ok: false;
  readonly reason: R;
  /** Human-readable context for logs and the admin; never parsed by code. */
  readonly detail?: string;
};
export type Result<T, R extends string> = Ok<T> | Err<R>;

export function ok<T>(value: T): Ok<T> {
  return { ok: true, value };
}

export function err<R extends string>(reason: R, detail?: string): Err<R> {
  return detail === undefined ? { ok: false, reason } : { ok: false, reason, detail };
}

export function isOk<T, R extends string>(result: Result<T, R>): result is Ok<T> {
  return result.ok;
}

export function isErr<T, R extends string>(result: Result<T, R>): result is Err<R> {
  return !result.ok;
}

/** Transforms the value and passes failures through untouched. */
export function mapResult<T, U, R extends string>(
  result: Result<T, R>,
  fn: (value: T) => U,
): Result<U, R> {
  return result.ok ? ok(fn(result.value)) : result;
}

/** Chains a step that can itself fail; the first failure wins. */
export function andThen<T, U, R extends string, R2 extends string>(
  result: Result<T, R>,
  fn: (value: T) => Result<U, R2>,
): Result<U, R | R2> {
  return result.ok ? fn(result.value) : result;
}

/**
 * Unwraps a result that the caller has proven cannot fail. Reaching the throw is a bug,
 * not an expected failure, so an exception is the right signal.
 */
export function unwrap<T, R extends string>(result: Result<T, R>): T {
  if (result.ok) return result.value;
  throw new Error(`unwrap on failed result: ${result.reason}${result.detail ? ` (${result.detail})` : ""}`);
}

/** Folds a list of steps over a start value, stopping at the first failure. */
export function foldResults<T, I, R extends string>(
  start: T,
  items: readonly I[],
  step: (acc: T, item: I, index: number) => Result<T, R>,
): Result<T, R> {
  let acc = start;
  for (const [index, item] of items.entries()) {
    const next = step(acc, item, index);
    if (!next.ok) return next;
    acc = next.value;
  }
  return ok(acc);
}
