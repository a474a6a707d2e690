// Ctrl-C / SIGTERM for the sandbox CLIs: stop everything the process started (the private redis-server, the
// emulators and their temporary folders) before exiting, once, however many signals arrive.
export function stopOnSignals(stop: () => Promise<void>, log: (line: string) => void = (l) => console.error(l)): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    log(`\n${signal}: stopping the sandbox…`);
    // 128 + signal number, as a shell reports a process ended by that signal.
    const code = signal === 'SIGINT' ? 130 : 143;
    stop().then(
      () => process.exit(code),
      (e: unknown) => {
        log(`stopping failed: ${e instanceof Error ? e.message : String(e)}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}
