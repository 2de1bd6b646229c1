import { ErrorCode, lakeError } from '../core/index.js';

/**
 * What a process does: `api` serves HTTP ingest and reads, `ingest` runs the project's in-process
 * sources (simulators, replays, exchange feeds), `process` runs the bronze/silver/gold stages, and
 * `scheduler` runs the jobs. `lakestream start` runs all four in one process.
 */
export type Role = 'api' | 'ingest' | 'process' | 'scheduler';

/** Every role, in the order `--role` lists them. */
export const ALL_ROLES: readonly Role[] = ['api', 'ingest', 'process', 'scheduler'];

/** Parses `--role api,process` (commas or repeated flags); throws LS_INVALID_ARGUMENT on a typo. */
export function parseRoles(values: readonly string[]): Role[] {
  const roles = new Set<Role>();
  for (const value of values.flatMap((v) => v.split(','))) {
    const role = value.trim();
    if (!ALL_ROLES.includes(role as Role))
      throw lakeError(
        ErrorCode.INVALID_ARGUMENT,
        `--role ${role}: not a role; use any of ${ALL_ROLES.join(', ')} (comma-separated)`,
      );
    roles.add(role as Role);
  }
  return ALL_ROLES.filter((r) => roles.has(r));
}

/**
 * Checks that a split of roles can work: without Kafka, events wait in this machine's write-ahead
 * log, so the API, the sources and the stages must share one process.
 */
export function checkRoles(roles: readonly Role[], transport: 'local' | 'kafka'): void {
  if (transport === 'kafka') return;
  const walRoles: readonly Role[] = ['api', 'ingest', 'process'];
  const present = walRoles.filter((r) => roles.includes(r));
  if (present.length > 0 && present.length < walRoles.length)
    throw lakeError(
      ErrorCode.INVALID_ARGUMENT,
      `--role ${roles.join(',')}: with the local transport the roles api, ingest and process share the write-ahead log and must run together; set transport: { type: kafka, brokers } in lakestream.yaml to split them`,
    );
}
