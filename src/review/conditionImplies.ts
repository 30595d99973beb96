import { sameScalar, type PolicyCondition } from "./policy.js";

/**
 * Whether every call that meets all of `conditions` meets all of `earlier` too, judged from the conditions
 * alone (for values that read as what they compare with). Then a rule with `earlier` above one with
 * `conditions`, on the same tools, decides all of its calls first: an `allow` of amounts over 10 above a
 * `deny` of amounts over 100 lets every large number through. Only what can be shown is claimed: false
 * when unsure, so no rule is ever called dead that is not.
 */
export function impliesAll(
  conditions: readonly PolicyCondition[],
  earlier: readonly PolicyCondition[],
): boolean {
  return earlier.every((needed) => conditions.some((given) => implies(given, needed)));
}

type Scalar = string | number | boolean;

/** `given` ⇒ `needed`, for conditions on the same argument. */
function implies(given: PolicyCondition, needed: PolicyCondition): boolean {
  if (given.arg !== needed.arg) return false;
  const values = valuesOf(given);
  if (needed.equals !== undefined)
    return values !== null && values.every((value) => sameScalar(value, needed.equals as Scalar));
  if (needed.in !== undefined)
    return (
      values !== null && values.every((value) => (needed.in ?? []).some((item) => sameScalar(value, item)))
    );
  if (needed.gt !== undefined) {
    const bound = needed.gt;
    if (given.gt !== undefined) return given.gt >= bound;
    return values !== null && values.every((value) => typeof value === "number" && value > bound);
  }
  if (needed.lt !== undefined) {
    const bound = needed.lt;
    if (given.lt !== undefined) return given.lt <= bound;
    return values !== null && values.every((value) => typeof value === "number" && value < bound);
  }
  return needed.matches !== undefined && given.matches === needed.matches;
}

/** The only values a condition lets through, when it names them (`equals`, `in`); else null. */
function valuesOf(condition: PolicyCondition): Scalar[] | null {
  if (condition.equals !== undefined) return [condition.equals];
  return condition.in ?? null;
}
