// A scenario named on a command line (`--scenario`): loaded, or exit 2 with what is wrong and what exists.
import { isScenarioError, listScenarios, resolveScenario, type Scenario } from './scenario/index.ts';

export function scenarioFromArgOrExit(nameOrPath: string): Scenario {
  try {
    return resolveScenario(nameOrPath);
  } catch (e) {
    if (isScenarioError(e)) {
      console.error(`${e.message}\nScenarios: ${listScenarios().join(', ')}`);
      process.exit(2);
    }
    throw e;
  }
}
