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
// No goroutine of its own: the first writer to find the batcher idle
// commits what is queued, over and over until the queue is empty, and the
// writers who queued meanwhile wait for their answers.
type batcher struct {
	mu    sync.Mutex
	queue []*write
	busy  bool
}

// write is one writer's work and where its answer goes.
type write struct {
	fn   func(*sql.Tx) error
	done chan error
}

// run has fn committed, alone or in a group, and returns its outcome.
func (b *batcher) run(db *sql.DB, fn func(*sql.Tx) error) error {
	w := &write{fn: fn, done: make(chan error, 1)}
	b.mu.Lock()
	b.queue = append(b.queue, w)
	lead := !b.busy
	b.busy = true
	b.mu.Unlock()
	if lead {
		b.drain(db)
	}
	return <-w.done
}

func (b *batcher) drain(db *sql.DB) {
	for {
		b.mu.Lock()
		group := b.queue
		b.queue = nil
		if len(group) == 0 {
			b.busy = false
			b.mu.Unlock()
			return
		}
		b.mu.Unlock()
		commit(db, group)
	}
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
