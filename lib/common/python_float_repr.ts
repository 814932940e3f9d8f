/**
 * Python 3's `repr(float)`, which pickle protocol 0 writes after the FLOAT opcode.
 *
 * Both Python and JS produce the shortest digit string that round-trips; they only differ in
 * where they switch to exponent notation and how they spell it (`1e+16` vs `10000000000000000`).
 *
 * @module
 */

/** Formats `x` exactly as Python 3's `repr(x)` does for a float. */
export function pythonFloatRepr(x: number): string {
  if (Number.isNaN(x)) return "nan";
  if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
  const sign = x < 0 || Object.is(x, -0) ? "-" : "";
  // toExponential() without an argument yields the shortest round-tripping digits.
  const [mantissa, exp] = Math.abs(x).toExponential().split("e");
  const digits = mantissa.replace(".", "");
  const decpt = Number(exp) + 1;
  if (decpt <= -4 || decpt > 16) {
    const e = decpt - 1;
    const frac = digits.length > 1 ? `.${digits.slice(1)}` : "";
    const expText = String(Math.abs(e)).padStart(2, "0");
    return `${sign}${digits[0]}${frac}e${e < 0 ? "-" : "+"}${expText}`;
  }
  if (decpt <= 0) return `${sign}0.${"0".repeat(-decpt)}${digits}`;
  if (decpt >= digits.length) return `${sign}${digits}${"0".repeat(decpt - digits.length)}.0`;
  return `${sign}${digits.slice(0, decpt)}.${digits.slice(decpt)}`;
}
