import { UsageError } from "../errors.js";
import { maskText } from "../review/mask.js";

/**
 * Splits a `--server` command line into words the way a POSIX shell would for plain cases: spaces separate,
 * single and double quotes group, a backslash escapes the next character. No expansion of any kind.
 */
export function splitCommandLine(line: string): string[] {
  const words: string[] = [];
  let current = "";
  let inWord = false;
  let quote: "'" | '"' | null = null;
  for (let index = 0; index < line.length; index += 1) {
    const char = line.charAt(index);
    if (quote !== null) {
      if (char === quote) quote = null;
      else if (char === "\\" && quote === '"' && index + 1 < line.length) current += line.charAt(++index);
      else current += char;
    } else if (char === "'" || char === '"') {
      quote = char;
      inWord = true;
    } else if (char === "\\" && index + 1 < line.length) {
      current += line.charAt(++index);
      inWord = true;
    } else if (/\s/.test(char)) {
      if (inWord) words.push(current);
      current = "";
      inWord = false;
    } else {
      current += char;
      inWord = true;
    }
  }
  // The line is the person's, but may hold a key (a flag's value): the error is printed and may be logged.
  if (quote !== null) throw new UsageError(`--server "${maskText(line)}": a ${quote} quote is not closed`);
  if (inWord) words.push(current);
  return words;
}
