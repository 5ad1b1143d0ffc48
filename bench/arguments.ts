// The benches' own command-line values, lists separated by commas, which no command of the CLI
// takes; single values use the CLI's parsers (src/cli/arguments.ts).
import { wholeNumber } from '../src/cli/arguments.js';

/** "a,b, c": the items of a list separated by commas, trimmed, empty ones dropped. */
export function commaList(text: string): string[] {
  return text
    .split(',')
    .map((x) => x.trim())
    .filter((x) => x !== '');
}

/** "1,16,64": whole numbers from `min`, separated by commas. */
export function wholeNumbers(what: string, example: string, min: number) {
  const each = wholeNumber(what, example, min);
  return (text: string): number[] => commaList(text).map(each);
}
