// Entry of the analysis thread (jobs/analysis-thread.ts): threads start without the parent's TypeScript loader,
// so this registers tsx (a runtime dependency, as bin/cilium-runbook.js does) and loads the TypeScript side.
import { register } from 'tsx/esm/api';

register();
await import('./analysis-thread-main.ts');
