import type { ReturnReason } from "./return-rules.js";

/**
 * What happens to a returned unit after inspection. Restock puts it back on sale at the
 * receiving location (a ledger return movement); refurbish keeps it out of available stock
 * until repaired; dispose writes it off. The table is data so a merchant's own grading scheme
 * is a config change.
 */

export const RETURN_GRADES = ["A", "B", "C", "D"] as const;
export type ReturnGrade = (typeof RETURN_GRADES)[number];

export const DISPOSITIONS = ["restock", "refurbish", "dispose"] as const;
export type Disposition = (typeof DISPOSITIONS)[number];

export const GRADE_LABELS: { readonly [G in ReturnGrade]: string } = {
  A: "A — as new, in its packaging",
  B: "B — opened, no wear",
  C: "C — worn or marked",
  D: "D — damaged beyond sale",
};

export interface DispositionRule {
  readonly grades: readonly ReturnGrade[];
  /** When set, the rule applies only to these reasons. */
  readonly reasons?: readonly ReturnReason[];
  readonly disposition: Disposition;
}

export interface DispositionDecision {
  readonly disposition: Disposition;
  readonly explanation: string;
}

export interface DispositionPolicy {
  decide(grade: ReturnGrade, reason: ReturnReason): DispositionDecision;
}

/** First matching rule wins; a defective item never goes straight back on sale. */
export const DEFAULT_DISPOSITION_RULES: readonly DispositionRule[] = [
  { grades: ["A", "B"], reasons: ["defective"], disposition: "refurbish" },
  { grades: ["A", "B"], disposition: "restock" },
  { grades: ["C"], disposition: "refurbish" },
  { grades: ["D"], disposition: "dispose" },
];

export class TableDispositionPolicy implements DispositionPolicy {
  constructor(private readonly rules: readonly DispositionRule[] = DEFAULT_DISPOSITION_RULES) {}

  decide(grade: ReturnGrade, reason: ReturnReason): DispositionDecision {
    const index = this.rules.findIndex(
      (rule) => rule.grades.includes(grade) && (rule.reasons === undefined || rule.reasons.includes(reason)),
    );
    if (index < 0) throw new Error(`disposition rules cover no grade ${grade} with reason ${reason}`);
    const rule = this.rules[index]!;
    const because = rule.reasons ? ` returned as ${reason.replaceAll("_", " ")}` : "";
    return { disposition: rule.disposition, explanation: `Grade ${grade}${because}: ${rule.disposition} (rule ${index + 1}).` };
  }
}
