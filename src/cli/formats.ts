/** The --format option of the reporting commands. */
import { Option, type Command } from 'commander';

export type Format = 'text' | 'markdown' | 'csv' | 'json';

export function formatOption(cmd: Command): Command {
  return cmd.addOption(new Option('--format <format>', 'how the summary is printed').choices(['text', 'markdown', 'csv', 'json']).default('text'));
}
