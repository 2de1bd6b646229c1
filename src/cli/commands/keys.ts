import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import type { Scope } from '../../api/index.js';
import { hashApiKey, newApiKey, SCOPES } from '../../api/index.js';

function parseScopes(text: string): Scope[] {
  const scopes = text.split(',').map((s) => s.trim());
  const bad = scopes.find((s) => !SCOPES.includes(s as Scope));
  if (bad !== undefined) throw new InvalidArgumentError(`'${bad}' is not a scope; use ${SCOPES.join(', ')}`);
  return scopes as Scope[];
}

/** `lakestream keys create|hash`: make API keys; only their SHA-256 goes into the config. */
export function registerKeysCommand(program: Command): void {
  const keys = program.command('keys').description('create API keys for lakestream.yaml (api_keys:)');
  keys
    .command('create')
    .description('print a new random key (give it to the client) and the api_keys entry with its hash')
    .requiredOption('--name <name>', 'a name for the key, shown in logs and errors')
    .option('--scopes <list>', `comma-separated: ${SCOPES.join(', ')}`, parseScopes, ['read'] as Scope[])
    .action((options: { name: string; scopes: Scope[] }) => {
      const key = newApiKey();
      process.stdout.write(
        [
          `key (shown once; send it as "Authorization: Bearer <key>"):`,
          `  ${key}`,
          `lakestream.yaml:`,
          `  api_keys:`,
          `    - { name: ${options.name}, scopes: [${options.scopes.join(', ')}], sha256: ${hashApiKey(key)} }`,
          `or the environment: LAKESTREAM_API_KEYS=${options.name}:${options.scopes.join('+')}:${hashApiKey(key)}`,
          '',
        ].join('\n'),
      );
    });
  keys
    .command('hash')
    .description('print the SHA-256 of an existing key, for api_keys')
    .argument('<key>', 'the key text')
    .action((key: string) => {
      process.stdout.write(`${hashApiKey(key)}\n`);
    });
}
