package sip

import (
	"sync"

	sipmsg "github.com/emiago/sipgo/sip"
)

// callSet finds our dialogs by id. It is our own cache, as sipgo advises,
// because it must hold both UAS and UAC dialogs and outlive no call.
type callSet struct {
	mu sync.Mutex
	m  map[string]*Call
}

func newCallSet() *callSet { return &callSet{m: map[string]*Call{}} }

func (s *callSet) add(c *Call) {
	s.mu.Lock()
	s.m[c.id] = c
	s.mu.Unlock()
}

func (s *callSet) remove(c *Call) {
	s.mu.Lock()
	if s.m[c.id] == c {
		delete(s.m, c.id)
	}
	s.mu.Unlock()
}

func (s *callSet) get(id string) *Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.m[id]
}

// match finds the dialog a request belongs to. Dialog ids put the callee's
// tag first, so a request to a dialog we answered carries that tag in To,
// and one to a dialog we placed carries it in From.
func (s *callSet) match(req *sipmsg.Request) *Call {
	if id, err := sipmsg.DialogIDFromRequestUAS(req); err == nil {
		if c := s.get(id); c != nil {
			return c
		}
	}
	if id, err := sipmsg.DialogIDFromRequestUAC(req); err == nil {
		return s.get(id)
	}
	return nil
}

func (s *callSet) all() []*Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]*Call, 0, len(s.m))
	for _, c := range s.m {
		out = append(out, c)
	}
	return out
}

func (s *callSet) len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.m)
}
