package store

import (
	"database/sql"
	"fmt"
	"sync"
)

// batcher groups the writes that wait for the one connection into one
// transaction: a commit costs a disk sync, milliseconds on most disks, so
// one write at a time caps the whole gateway at a few dozen acknowledged
// changes a second, while a group of them shares the sync. Each write runs
// under a savepoint of its own, so one that fails is undone alone and the
// others still commit.
//
// No goroutine of its own: the writer whose turn it is commits what is
// queued, its own write among it, then hands the turn to the first writer
// queued meanwhile, so no writer commits others' work for longer than one
// group (a conference holds its lock while it writes).
type batcher struct {
	mu    sync.Mutex
	queue []*write
	busy  bool // a writer has the turn
}

// write is one writer's work, where its answer goes, and its turn.
type write struct {
	fn   func(*sql.Tx) error
	done chan error
	turn chan struct{}
}

// run has fn committed, alone or in a group, and returns its outcome.
func (b *batcher) run(db *sql.DB, fn func(*sql.Tx) error) error {
	w := &write{fn: fn, done: make(chan error, 1), turn: make(chan struct{}, 1)}
	b.mu.Lock()
	b.queue = append(b.queue, w)
	if !b.busy {
		b.busy = true
		w.turn <- struct{}{}
	}
	b.mu.Unlock()
	select {
	case err := <-w.done:
		return err
	case <-w.turn:
	}
	b.lead(db)
	return <-w.done
}

// lead commits the queue, the leader's own write among it, and passes the
// turn on.
func (b *batcher) lead(db *sql.DB) {
	b.mu.Lock()
	group := b.queue
	b.queue = nil
	b.mu.Unlock()
	defer func() {
		b.mu.Lock()
		if len(b.queue) > 0 {
			b.queue[0].turn <- struct{}{}
		} else {
			b.busy = false
		}
		b.mu.Unlock()
	}()
	commit(db, group)
}

// commit runs a group of writes in one transaction and answers each.
func commit(db *sql.DB, group []*write) {
	answer := func(err error) {
		for _, w := range group {
			w.done <- err
		}
	}
	tx, err := db.Begin()
	if err != nil {
		answer(err)
		return
	}
	// A write that panics must not leave the others of its group waiting
	// for an answer for ever.
	defer func() {
		if r := recover(); r != nil {
			_ = tx.Rollback()
			answer(fmt.Errorf("store: a write panicked: %v", r))
			panic(r)
		}
	}()
	if len(group) == 1 {
		if err := group[0].fn(tx); err != nil {
			_ = tx.Rollback()
			answer(err)
			return
		}
		answer(tx.Commit())
		return
	}
	results := make([]error, len(group))
	for i, w := range group {
		if _, err := tx.Exec("SAVEPOINT write"); err != nil {
			_ = tx.Rollback()
			answer(fmt.Errorf("store: savepoint: %w", err))
			return
		}
		if results[i] = w.fn(tx); results[i] != nil {
			if _, err := tx.Exec("ROLLBACK TO write"); err != nil {
				_ = tx.Rollback()
				answer(fmt.Errorf("store: rolling a failed write back: %w", err))
				return
			}
		}
		if _, err := tx.Exec("RELEASE write"); err != nil {
			_ = tx.Rollback()
			answer(fmt.Errorf("store: release: %w", err))
			return
		}
	}
	if err := tx.Commit(); err != nil {
		answer(err)
		return
	}
	for i, w := range group {
		w.done <- results[i]
	}
}
