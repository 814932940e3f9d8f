/** Runs a short Python program with Swift importable, feeding JSON on stdin and parsing JSON from stdout. */
export async function runPython(program: string, input: unknown): Promise<unknown> {
  const child = new Deno.Command("/usr/bin/python3", {
    args: ["-c", program],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(JSON.stringify(input)));
  await writer.close();
  const { code, stdout, stderr } = await child.output();
  if (code !== 0) throw new Error(`python failed (${code}): ${new TextDecoder().decode(stderr)}`);
  return JSON.parse(new TextDecoder().decode(stdout));
}
