/**
 * The entry point. Kept tiny: it imports the commander program only when a
 * command runs, so fast paths (shell completion) start as fast as Node allows.
 * The one place that turns errors into messages and exit codes is
 * src/cli/report-error.ts, called from program.ts.
 */
export async function main(argv: string[]): Promise<void> {
  if (argv[0] === '__complete') {
    // the shell completion fast path (src/cli/completion/fast.ts): zone discovery and
    // the sources only, no commander, no chalk; it never prints an error
    const { runComplete } = await import('./completion/fast.js');
    runComplete(argv.slice(1));
    return;
  }
  (await import('./io.js')).whenStdoutMade(guardStdout);
  const { installSignalHandlers } = await import('./signals.js');
  installSignalHandlers();
  (await import('../core/atomic.js')).setWriterProcess(writerProcess());
  // `--version --verbose` also says how this run started (docs/startup.md)
  if (argv.includes('--version') && argv.includes('--verbose')) {
    const how = (globalThis as { __powercapctlStartup?: string }).__powercapctlStartup ?? 'compiled modules';
    (await import('./io.js')).writeStderr(`startup: ${how}`);
  }
  const { runProgram } = await import('./program.js');
  await runProgram(argv);
}

/** `powercapctl list | head`: the reader went away; that is not our failure. */
function guardStdout(stdout: NodeJS.WriteStream): void {
  stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
}

/** This process, as the atomic writer needs to know it (core/atomic.ts reads no process state). */
export function writerProcess(): import('../core/atomic.js').WriterProcess {
  return {
    pid: process.pid,
    euid: process.geteuid?.() ?? -1,
    isRoot: process.getuid?.() === 0,
    isRunning(pid) {
      try {
        process.kill(pid, 0);
        return true;
      } catch (err) {
        return (err as NodeJS.ErrnoException).code !== 'ESRCH'; // EPERM: it runs, as another user
      }
    },
    atExit: (fn) => process.once('exit', fn),
  };
}
