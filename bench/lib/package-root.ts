/** The lakestream checkout the benchmark runs in (two folders above bench/lib and bench/scenarios). */
import { fileURLToPath } from 'node:url';

export const PACKAGE_ROOT = fileURLToPath(new URL('../../', import.meta.url));
