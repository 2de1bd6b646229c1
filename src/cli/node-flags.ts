/**
 * The Node flags lakestream runs with (the `bin.ts` shebang carries the same; a test keeps them
 * equal). V8 grows its young generation to 32 MiB under a steady allocation rate and keeps it: a
 * pipeline allocates steadily for weeks, and 8 MiB costs a few more short scavenges instead.
 */
export const NODE_FLAGS: readonly string[] = Object.freeze(['--max-semi-space-size=4']);
