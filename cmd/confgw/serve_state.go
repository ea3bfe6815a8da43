package main

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/spf13/pflag"

	"github.com/confgw/confgw/conference"
	"github.com/confgw/confgw/store"
)

// The kinds of --state.
const (
	stateSQLite = "sqlite"
	stateMemory = "memory"
)

// tokenKeyName is the token signing key's file in the data directory,
// named like the database so that no conference's recordings clash with it.
const tokenKeyName = "_token.key"

// minTokenKey is the shortest signing key taken: HS256 wants 256 bits.
const minTokenKey = 32

// stateConfig says where serve keeps what must survive a restart.
type stateConfig struct {
	Kind         string
	TokenKeyFile string
}

func addStateFlags(f *pflag.FlagSet, c *stateConfig) {
	f.StringVar(&c.Kind, "state", stateSQLite, "where conferences, rooms and app participants are kept: sqlite (in --data-dir, restored on start) or memory (lost on exit)")
	f.StringVar(&c.TokenKeyFile, "token-key-file", "", "file holding the key participant tokens are signed with, 32 bytes or more (default: "+tokenKeyName+" in --data-dir, made on first start; with --state memory, a new key each start)")
}

// openState opens the journal the conferences are restored from and
// written to; nil with --state memory.
func openState(cfg serveConfig, metrics prometheus.Registerer) (*store.Store, error) {
	switch cfg.state.Kind {
	case stateMemory:
		return nil, nil
	case stateSQLite:
		s, err := store.Open(cfg.DataDir, store.WithMetrics(metrics))
		if err != nil {
			return nil, fmt.Errorf("--data-dir: %w", err)
		}
		return s, nil
	}
	return nil, fmt.Errorf("--state %q: want %s or %s", cfg.state.Kind, stateSQLite, stateMemory)
}

// journal is s as the conferences see it, so that no store is a nil
// journal rather than a journal holding a nil store.
func journal(s *store.Store) conference.Journal {
	if s == nil {
		return nil
	}
	return s
}

// tokenKey is the key participant tokens are signed with. Tokens must
// verify across restarts as long as the conferences they name do, so the
// key is kept beside them: read from --token-key-file, or from the data
// directory, where the first start makes one. nil, with --state memory and
// no file, lets the API pick a key that dies with the process.
func tokenKey(cfg serveConfig) ([]byte, error) {
	path, flag := cfg.state.TokenKeyFile, "--token-key-file"
	if path == "" {
		if cfg.state.Kind == stateMemory {
			return nil, nil
		}
		path, flag = filepath.Join(cfg.DataDir, tokenKeyName), "--data-dir"
		if err := makeTokenKey(path); err != nil {
			return nil, fmt.Errorf("%s: token key: %w", flag, err)
		}
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", flag, err)
	}
	// Editors and echo end files with a newline no one means as key.
	key := bytes.TrimSpace(b)
	if len(key) < minTokenKey {
		return nil, fmt.Errorf("%s: the token key in %s has %d bytes, want %d or more", flag, path, len(key), minTokenKey)
	}
	return key, nil
}

// makeTokenKey writes a new random key to path unless it exists, readable
// by its owner alone and synced, so that a key tokens were signed with is
// never lost to a crash.
func makeTokenKey(path string) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return nil
	}
	if err != nil {
		return err
	}
	var b [minTokenKey]byte
	_, _ = rand.Read(b[:])
	_, err = f.WriteString(hex.EncodeToString(b[:]) + "\n")
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		_ = os.Remove(path)
		return err
	}
	return syncDir(filepath.Dir(path))
}

// syncDir makes a file just created in dir survive a crash.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
