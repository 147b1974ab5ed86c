// Preloaded (node --require) into a server a test starts (backends.ts): when the process that
// started it is gone (our parent PID changes: the orphan is re-parented), the server stops itself,
// so a test run that dies without its after() hook leaves no server behind. Plain JavaScript so
// that node loads it without ts-node. The timers are unref'd: they never keep the server alive.
"use strict";
const parent = process.ppid;
const timer = setInterval(() => {
    if (process.ppid === parent) return;
    clearInterval(timer);
    // SIGTERM: the server's own shutdown (Azurite closes its metadata database), then a hard exit.
    process.kill(process.pid, "SIGTERM");
    setTimeout(() => process.exit(1), 5000).unref();
}, 1000);
timer.unref();
