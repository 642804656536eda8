/**
 * Error text that is safe to log: Drizzle puts the failing statement and every parameter in an
 * error's message ("Failed query: INSERT ... params: {whole customer payload}"), and a log line
 * must carry ids, never payloads or personal data. The SQL text and parameters are cut; the
 * database's own message and SQLSTATE, which say what went wrong, stay.
 */
const FAILED_QUERY = /Failed query: [\s\S]*?\nparams: [^\n]*/g;

export function safeErrorText(text: string): string {
  return text.replace(FAILED_QUERY, "Failed query (statement and parameters withheld from the log)");
}

export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return safeErrorText(String(error));
  const cause = (error as { cause?: unknown }).cause;
  const code = (error as { code?: unknown }).code ?? (cause as { code?: unknown } | undefined)?.code;
  const own = safeErrorText(error.message);
  const inner = cause instanceof Error ? `: ${safeErrorText(cause.message)}` : "";
  return `${error.name}${typeof code === "string" ? ` [${code}]` : ""}: ${own}${inner}`;
}
