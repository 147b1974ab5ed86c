package main

import (
	"os"
	"sync"
	"time"
)

// Why this file exists: when the CLI is killed outright (kill -9, an OOM kill, a CI runner's
// timeout) the engine closes nothing, and the only check the official host has on its engine is
// rpcutil.Healthcheck every 5 minutes (main.go): for up to five minutes this host, and any Node.js
// process it started that has not stopped on its own, would live on as orphans. An orphan is
// re-parented (to init or a subreaper), so a change of getppid(2) says the engine is gone; it is
// checked once a second, and then every child this host started is killed and the host exits.
// Only when the engine started us with its address (not when an engine attaches later through
// Handshake, where our parent is whoever started us by hand).

// children are the processes Run and RunPlugin started and have not yet reaped.
var children = &childSet{procs: map[*os.Process]struct{}{}}

type childSet struct {
	mu    sync.Mutex
	procs map[*os.Process]struct{}
}

func (s *childSet) add(p *os.Process) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.procs[p] = struct{}{}
}

func (s *childSet) remove(p *os.Process) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.procs, p)
}

// killAll sends SIGKILL to every child: with the engine gone none of them can report anything,
// so there is nothing to wait for.
func (s *childSet) killAll() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for p := range s.procs {
		_ = p.Kill()
	}
}

// exitWhenOrphaned watches the parent PID; on a change it kills the children and exits.
func exitWhenOrphaned(parent int, interval time.Duration) {
	go func() {
		ticker := time.NewTicker(interval)
		defer ticker.Stop()
		for range ticker.C {
			if os.Getppid() != parent {
				children.killAll()
				os.Exit(1)
			}
		}
	}()
}
