/**
 * Which part of a search term the trigram indexes are asked for, and whether the term is common.
 *
 * A GIN trigram scan reads the posting list of every trigram in its pattern. A term such as
 * "customer333333@example.com" is rare, yet most of its trigrams ("cus", "exa", "com"...) are in
 * nearly every order, so asking the index for the whole term reads millions of postings to
 * find one row. Any substring of the term is implied by the term, so the index can be asked for
 * the substring whose trigrams are rare ("r333333@") and the whole term checked on the few rows
 * it returns: the same rows, a hundred times less reading.
 *
 * How common a trigram is comes from a sample of the indexed values: PostgreSQL's own column
 * statistics (the histogram and most common values ANALYZE keeps for the index expression), so
 * nothing extra is maintained. The choice only changes speed, never the rows found.
 */

/** Sampled values of an indexed text and the share of rows each stands for (shares sum to 1). */
export interface TextSample {
  values: readonly string[];
  weights: readonly number[];
}

export interface IndexWindow {
  /** The substring of the term the index is asked for (the term itself when no sample says better). */
  window: string;
  /** Estimated share of rows whose text contains the whole term; undefined without a sample. */
  termShare?: number;
}

/** Reading one candidate row to recheck it costs about as much as this many postings. */
const RECHECK_COST_IN_POSTINGS = 1000;
/** Candidate windows rechecked against the sample itself after the independence estimate. */
const WINDOWS_CHECKED_ON_SAMPLE = 8;
const MAX_WINDOW_LENGTH = 24;

const isWordChar = (char: string) => /[a-z0-9]/.test(char);

/**
 * The trigrams pg_trgm looks up for ILIKE '%s%': per run of word characters, lower-cased, with
 * two blanks before and one after where a non-word character (not the pattern's edge) bounds it.
 * Only ASCII letters and digits count as word characters here: an estimate, not the index.
 */
export function likeTrigrams(text: string): string[] {
  const lower = text.toLowerCase();
  const trigrams = new Set<string>();
  for (const match of lower.matchAll(/[a-z0-9]+/g)) {
    const start = match.index;
    const end = start + match[0].length;
    const padded = `${start > 0 ? "  " : ""}${match[0]}${end < lower.length ? " " : ""}`;
    for (let i = 0; i + 3 <= padded.length; i++) trigrams.add(padded.slice(i, i + 3));
  }
  return [...trigrams];
}

/** Whether a lower-cased value holds the trigram, blanks standing for a word's edges. */
function holdsTrigram(value: string, trigram: string): boolean {
  const core = trigram.trim();
  if (core === trigram) return value.includes(trigram);
  let from = 0;
  for (;;) {
    const at = value.indexOf(core, from);
    if (at < 0) return false;
    const startOk = !trigram.startsWith(" ") || at === 0 || !isWordChar(value[at - 1]!);
    const endOk = !trigram.endsWith(" ") || at + core.length === value.length || !isWordChar(value[at + core.length]!);
    if (startOk && endOk) return true;
    from = at + 1;
  }
}

function shareOf(sample: TextSample, lowered: readonly string[], holds: (value: string) => boolean): number {
  let share = 0;
  for (let i = 0; i < lowered.length; i++) if (holds(lowered[i]!)) share += sample.weights[i]!;
  return share;
}

/** The sample as PostgreSQL keeps it: most common values with their frequencies, then the histogram for the rest. */
export function sampleFromStatistics(stats: { mostCommonValues?: readonly string[] | null; mostCommonFreqs?: readonly number[] | null; histogram?: readonly string[] | null }): TextSample | undefined {
  const common = stats.mostCommonValues ?? [];
  const freqs = stats.mostCommonFreqs ?? [];
  const histogram = stats.histogram ?? [];
  const commonShare = freqs.reduce((sum, freq) => sum + freq, 0);
  if (common.length + histogram.length === 0) return undefined;
  const rest = histogram.length > 0 ? Math.max(0, 1 - commonShare) / histogram.length : 0;
  return { values: [...common, ...histogram], weights: [...freqs.slice(0, common.length), ...histogram.map(() => rest)] };
}

/**
 * The substring of `term` to ask the index for: the one minimising the postings read plus the
 * candidate rows rechecked, both estimated from the sample. Without a sample, the term itself.
 */
export function chooseIndexWindow(term: string, sample: TextSample | undefined): IndexWindow {
  if (!sample || sample.values.length === 0 || likeTrigrams(term).length === 0) return { window: term };
  const lowered = sample.values.map((value) => value.toLowerCase());
  const lowerTerm = term.toLowerCase();
  const smallest = Math.min(...sample.weights.filter((weight) => weight > 0), 1);
  // Half a sampled row for what the sample never saw.
  const floor = smallest / 2;
  const trigramShares = new Map<string, number>();
  const trigramShare = (trigram: string) => {
    let share = trigramShares.get(trigram);
    if (share === undefined) {
      share = Math.max(floor, shareOf(sample, lowered, (value) => holdsTrigram(value, trigram)));
      trigramShares.set(trigram, share);
    }
    return share;
  };

  interface Candidate {
    window: string;
    postings: number;
    matches: number;
  }
  const candidates: Candidate[] = [];
  const chars = [...term];
  for (let start = 0; start < chars.length; start++) {
    for (let end = start + 3; end <= Math.min(chars.length, start + MAX_WINDOW_LENGTH); end++) {
      const window = chars.slice(start, end).join("");
      const trigrams = likeTrigrams(window);
      if (trigrams.length === 0) continue;
      let postings = 0;
      let matches = 1;
      for (const trigram of trigrams) {
        const share = trigramShare(trigram);
        postings += share;
        matches *= share;
      }
      candidates.push({ window, postings, matches });
    }
  }
  // The whole term is always a candidate, however long.
  if (!candidates.some((candidate) => candidate.window === term)) {
    const trigrams = likeTrigrams(term);
    candidates.push({
      window: term,
      postings: trigrams.reduce((sum, trigram) => sum + trigramShare(trigram), 0),
      matches: trigrams.reduce((product, trigram) => product * trigramShare(trigram), 1),
    });
  }
  const cost = (candidate: Candidate) => candidate.postings + RECHECK_COST_IN_POSTINGS * candidate.matches;
  // Trigrams are not independent (digits follow digits): check the best few on the sample itself.
  const shortlist = [...candidates].sort((a, b) => cost(a) - cost(b)).slice(0, WINDOWS_CHECKED_ON_SAMPLE);
  for (const candidate of shortlist) {
    const seen = shareOf(sample, lowered, (value) => value.includes(candidate.window.toLowerCase()));
    candidate.matches = Math.max(candidate.matches, seen);
  }
  const best = shortlist.sort((a, b) => cost(a) - cost(b) || b.window.length - a.window.length)[0]!;
  return { window: best.window, termShare: shareOf(sample, lowered, (value) => value.includes(lowerTerm)) };
}
