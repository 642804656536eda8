/**
 * How a merchant's search box text becomes LIKE patterns. Trigram indexes need three
 * characters to narrow anything down; shorter terms are matched exactly instead of scanning.
 */
export const MIN_SUBSTRING_SEARCH_LENGTH = 3;

export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (match) => `\\${match}`);
}

export interface SearchPatterns {
  /** The trimmed term, for exact matches. */
  term: string;
  /** `%term%`, or undefined when the term is too short for a substring search. */
  contains?: string;
  /** `%digits%` when the term looks like a phone number typed with other punctuation. */
  digitsContains?: string;
  /** The digits of that phone number, for choosing what the index is asked for. */
  digits?: string;
}

export function searchPatterns(raw: string): SearchPatterns | undefined {
  const term = raw.trim();
  if (!term) return undefined;
  if (term.length < MIN_SUBSTRING_SEARCH_LENGTH) return { term };
  const digits = term.replace(/\D/g, "");
  const phoneLike = digits.length >= 6 && digits !== term && /^[\d\s()+.-]+$/.test(term);
  return {
    term,
    contains: containsPattern(term),
    ...(phoneLike ? { digitsContains: `%${digits}%`, digits } : {}),
  };
}

/** The LIKE pattern matching any text that contains `text`, wildcards in it escaped. */
export function containsPattern(text: string): string {
  return `%${escapeLike(text)}%`;
}
