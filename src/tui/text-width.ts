// How many terminal columns a text takes: CJK characters take two. The footer fits its keys by it,
// and the header decides what to leave out by it.

// eslint-disable-next-line @typescript-eslint/no-misused-spread -- width is a property of each code point (East Asian Width, UAX #11), so the text is taken code point by code point
export const columns = (text: string): number => [...text].reduce((n, ch) => n + (ch.codePointAt(0)! >= 0x2e80 ? 2 : 1), 0);
