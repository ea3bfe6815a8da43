package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"sync"
	"syscall"
	"time"
)

// proc is a child the harness started in a process group of its own, so that
// stopping it also stops whatever it forked (sipp runs a thread per call but
// may fork helpers; go build forks the compiler).
type proc struct {
	name string
	cmd  *exec.Cmd
	done chan struct{}
	err  error
	log  *os.File
}

// Every live child, so that an early return or a signal never leaves one
// running.
var (
	procsMu sync.Mutex
	procs   = map[*proc]bool{}
)

// startProc runs args in dir with stdout and stderr to logPath (stdout to
// stdoutPath instead when that is set).
func startProc(name, dir, logPath, stdoutPath string, args ...string) (*proc, error) {
	log, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Dir = dir
	cmd.Stderr = log
	cmd.Stdout = log
	var out *os.File
	if stdoutPath != "" {
		if out, err = os.Create(stdoutPath); err != nil {
			_ = log.Close()
			return nil, err
		}
		cmd.Stdout = out
	}
	// Pdeathsig covers the harness being killed outright, when no deferred
	// cleanup runs. Linux sends it when the thread that started the child
	// exits, which for Go is normally the process's end; killAll remains
	// the cleanup that counts.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		_ = log.Close()
		if out != nil {
			_ = out.Close()
		}
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	p := &proc{name: name, cmd: cmd, done: make(chan struct{}), log: log}
	procsMu.Lock()
	procs[p] = true
	procsMu.Unlock()
	go func() {
		p.err = cmd.Wait()
		_ = log.Close()
		if out != nil {
			_ = out.Close()
		}
		procsMu.Lock()
		delete(procs, p)
		procsMu.Unlock()
		close(p.done)
	}()
	return p, nil
}

func (p *proc) pid() int { return p.cmd.Process.Pid }

func (p *proc) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// cpu is the child's user and system time so far, or in all once it has
// exited and /proc no longer has it.
func (p *proc) cpu() (float64, error) {
	if p.exited() {
		st := p.cmd.ProcessState
		return (st.UserTime() + st.SystemTime()).Seconds(), nil
	}
	c, err := cpuSeconds(p.pid())
	if err != nil && p.exited() {
		return p.cpu()
	}
	return c, err
}

// exitCode is the child's status once it has exited; -1 for a signal.
func (p *proc) exitCode() int {
	<-p.done
	var ee *exec.ExitError
	if errors.As(p.err, &ee) {
		return ee.ExitCode()
	}
	if p.err != nil {
		return -1
	}
	return 0
}

// wait returns when the child exits, the context ends or limit passes; it
// reports whether the child exited.
func (p *proc) wait(ctx context.Context, limit time.Duration) bool {
	t := time.NewTimer(limit)
	defer t.Stop()
	select {
	case <-p.done:
		return true
	case <-ctx.Done():
	case <-t.C:
	}
	return false
}

// stop asks the group to end with SIGTERM (confgw then hangs its legs up and
// sipp prints its final statistics) and kills it after grace.
func (p *proc) stop(grace time.Duration) {
	if p.exited() {
		return
	}
	_ = syscall.Kill(-p.pid(), syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(grace):
		_ = syscall.Kill(-p.pid(), syscall.SIGKILL)
		<-p.done
	}
}

// killAll ends every child still running.
func killAll() {
	procsMu.Lock()
	var live []*proc
	for p := range procs {
		live = append(live, p)
	}
	procsMu.Unlock()
	for _, p := range live {
		p.stop(3 * time.Second)
	}
}
