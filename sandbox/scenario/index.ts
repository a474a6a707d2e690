// The scenario package: the file format, loading (YAML → validated, expanded Scenario) and builders for code.
export * from './schema.ts';
export { parseScenario, loadScenarioFile, resolveScenario, listScenarios, scenarioPath, MAX_SCENARIO_BYTES, SCENARIOS_DIR } from './load.ts';
export { ScenarioError, isScenarioError, formatPath, type ScenarioIssue } from './scenario-error.ts';
export * from './generate.ts';
