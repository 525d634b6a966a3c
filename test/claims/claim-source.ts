/** The claims suite reads its scenarios from scenarios/ on disk. */
import { setScenarioSource } from '../../src/claims/scenarios';
import { loadScenarioFile } from '../../src/cli/files';
import { ScenarioError } from '../../src/scenario/errors';

setScenarioSource((name) => {
  const r = loadScenarioFile(name);
  if (!r.ok) throw new ScenarioError(r.problems);
  return r.scenario;
});
