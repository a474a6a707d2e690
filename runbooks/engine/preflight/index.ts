// The upgrade preflight: pure checks and the grouped report. Reads live in jobs/preflight/.
export { parseTargetVersion, runPreflightChecks, nodeConfig, configKeyProblems, type PreflightInput, type PreflightNode, type PreflightProblem, type PreflightSeverity } from './checks.ts';
export { buildPreflightReport, type PreflightGroup, type PreflightReport } from './report.ts';
export { configFromHelmValues } from './helm-config.ts';
export { crdChangesCrossed, CRD_CHANGES, type CrdInUse } from './crd-changes.ts';
