/**
 * The names the audit records as the reviewer when no person decided: no terminal and no answers file,
 * or an answers file with no line left for any call of the review. A person may not take them (see
 * checkReviewerName), so a record naming one always means nobody decided.
 */
export const nobodyReviewer = "nobody (no terminal)";
export const answersRanOutReviewer = "nobody (answers ran out)";
