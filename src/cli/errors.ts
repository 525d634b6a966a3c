/**
 * How the command fails: bad input (a scenario, a flag) prints one line per
 * problem and exits 2; a broken run exits 1. Never a stack trace: an
 * unexpected error prints its message and how to report it.
 */
import { formatProblem, type ScenarioProblem } from '../scenario/errors';

/** Bad input the user can fix: exit code 2. */
export class UsageError extends Error {
  constructor(message: string, readonly problems: readonly ScenarioProblem[] = []) {
    super(message);
  }
}

export function failWithProblems(problems: readonly ScenarioProblem[]): never {
  throw new UsageError(problems.map(formatProblem).join('\n'), problems);
}
