/** `netsim schema`: print the JSON Schema of the scenario format. */
import type { Command } from 'commander';
import { scenarioJsonSchema } from '../../scenario/schema';

export function schemaText(): string {
  return `${JSON.stringify(scenarioJsonSchema(), null, 2)}\n`;
}

export function register(program: Command): void {
  program.command('schema')
    .description('print the JSON Schema of scenario files (scenarios/schema.json is this output)')
    .addHelpText('after', `
Scenario files name it with "$schema": "./schema.json", so editors complete and check them.

Example:
  netsim schema > scenarios/schema.json`)
    .action(() => {
      process.stdout.write(schemaText());
    });
}
