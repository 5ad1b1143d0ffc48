// Counts in sentences: "1 node", "2 nodes", "1 entry", "3 entries". The one place a count chooses
// its word, for every layer that writes sentences above this one (the supervisor, check, the CLI).

/** "1 node", "0 nodes", "12,000 operations"; `many` for a plural that is not the word and an s. */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
}
