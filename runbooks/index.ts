// The public surface of runbooks/: what jobs/, bot/ and the CLI may import.
export * from './evidence.ts';
export * from './contract.ts';
export { analyze, unavailableFacts } from './analyze.ts';
export { RUNBOOKS, runbookById } from './registry.ts';
export { computeBlastRadius, type PeerImpact } from './blast-radius.ts';
export { summarizeIptablesSave, hasKubeProxyRules, KUBELET_CHAINS } from './iptables-summary.ts';
export { ciliumVersionFromImage, configFlag, kubeProxyReplacementEnabled } from './cilium-version.ts';
export { parseKernelVersion, effectiveKernel, compareTriples, type KernelVersion } from './kernel-version.ts';
export { ciliumKernelFloor, FEATURE_REQUIREMENTS, unmetFeatures } from './kernel-matrix.ts';
export { parseLog, parseLogLine, iterateLines, type LogLine, type LogLevel } from './log-parser.ts';
export { compileLogQuery, lineText, type LogQuery } from './log-query.ts';
export { LogStream, type OnLogLine } from './log-scan.ts';
export { LogText } from './log-text.ts';
export { evidenceFromDocument, renderFindingsJson } from './offline-evidence.ts';
export { selectorMatches, policySelects } from './policy-selector.ts';
export { ADVISORIES } from './version-advisories.ts';
