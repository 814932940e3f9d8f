/** Swift's zero_like(): counts stored by older or looser writers may be null, '', 0 or '0'. */
export function zeroLike(count: unknown): boolean {
  return count === null || count === undefined || count === "" || count === 0 || count === "0" ||
    count === 0n;
}
