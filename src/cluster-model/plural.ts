// Counts in sentences: "1 node", "2 nodes", "1 entry", "3 entries", "12,000 operations". The one
// place a count chooses its word and groups its digits, for every layer that writes sentences above
// this one (the supervisor, check, the CLI).

/**
 * "12,000": a whole number with its thousands grouped. Not toLocaleString: its first call loads
 * ICU's number formats, 20 ms of a command such as `status` that prints one count.
 */
export function thousands(n: number): string {
  if (!Number.isSafeInteger(n)) return String(n);
  return String(n).replace(/\B(?=(\d{3})+$)/g, ',');
}

/** "1 node", "0 nodes", "12,000 operations"; `many` for a plural that is not the word and an s. */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${thousands(n)} ${n === 1 ? one : many}`;
}
