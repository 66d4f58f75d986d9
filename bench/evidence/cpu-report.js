// Preloaded (`node -r`) into each timed `stella verify` process: reports its own CPU time (user +
// system, the whole process from start) on stderr at exit, so the figure holds on a busy machine.
process.on('exit', () => {
  const { user, system } = process.cpuUsage();
  process.stderr.write(`\nstella-bench-cpu-us ${user + system}\n`);
});
