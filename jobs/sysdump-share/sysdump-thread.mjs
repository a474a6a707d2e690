// Entry of a sysdump analysis thread (sysdump-thread.ts): threads start without the parent's TypeScript loader, so
// this registers tsx (a runtime dependency, as jobs/analysis-thread.mjs does) and loads the TypeScript side.
import { register } from 'tsx/esm/api';

register();
await import('./sysdump-thread-main.ts');
