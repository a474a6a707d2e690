// The public surface of runbooks/: what jobs/, bot/ and the CLI may import.
export * from './engine/evidence.ts';
export * from './engine/contract.ts';
export { analyze, unavailableFacts } from './engine/analyze.ts';
export { RUNBOOKS, runbookById } from './catalogue/registry.ts';
export { computeBlastRadius, type PeerImpact } from './engine/blast-radius.ts';
export { summarizeIptablesSave, hasKubeProxyRules, KUBELET_CHAINS } from './engine/iptables-summary.ts';
export { ciliumVersionFromImage, configFlag, kubeProxyReplacementEnabled } from './engine/cilium-version.ts';
export { parseKernelVersion, effectiveKernel, compareTriples, type KernelVersion } from './engine/kernel-version.ts';
export { ciliumKernelFloor, FEATURE_REQUIREMENTS, unmetFeatures } from './engine/kernel-matrix.ts';
export { parseLog, parseLogLine, iterateLines, type LogLine, type LogLevel } from './engine/log-parser.ts';
export { compileLogQuery, lineText, type LogQuery } from './engine/log-query.ts';
export { LogStream, type OnLogLine } from './engine/log-scan.ts';
export { LogText } from './engine/log-text.ts';
export { evidenceFromDocument, renderFindingsJson } from './engine/offline-evidence.ts';
export { selectorMatches, policySelects } from './engine/policy-selector.ts';
export { KNOWN_ISSUES, type KnownIssue } from './catalogue/known-issues/index.ts';
