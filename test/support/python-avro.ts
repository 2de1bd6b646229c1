import { execFileSync } from 'node:child_process';

/** Debian's Python, whose `python3-avro` package is the reference Avro reader of the tests. */
export const PYTHON = '/usr/bin/python3';

/**
 * Whether `/usr/bin/python3` can import Debian's avro module. In CI its absence fails the suite
 * (npm test installs it); elsewhere the tests of `what` are skipped, said loudly on stderr.
 */
export function pythonAvroAvailable(what: string): boolean {
  try {
    execFileSync(PYTHON, ['-c', 'import avro'], { stdio: 'ignore' });
    return true;
  } catch {
    const message =
      "Debian's python3-avro is missing: install it with 'apt-get install python3-avro' (npm test does)";
    if (process.env.CI) throw new Error(message);
    console.warn(`SKIPPED (${what}): ${message}`);
    return false;
  }
}
