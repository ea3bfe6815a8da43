// Package store keeps the conferences' state on disk, so that a restart
// gives back every conference with its rooms and app participants. It is
// the conference package's Journal, on SQLite; the SQL is kept to what
// PostgreSQL speaks too, so that a shared database can follow behind the
// same interface.
package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	// The pure Go driver: the gateway stays one static binary.
	_ "modernc.org/sqlite"

	"github.com/confgw/confgw/conference"
)

//go:embed migrations/*.sql
var migrations embed.FS

// FileName is the database's name in its data directory. It starts with a
// character no conference id may start with, so that no conference's
// recordings directory can ever clash with it or its -wal and -shm files.
const FileName = "_state.db"

// busyTimeout is how long a write waits for another process holding the
// database (a backup running) before it fails.
const busyTimeout = 5 * time.Second

// ErrNoConference is a change or delete of a conference the store does not
// hold.
var ErrNoConference = errors.New("store: no such conference")

// Store is conferences' state in a SQLite database. Its methods are safe
// for concurrent use; they return once the change is on disk.
type Store struct {
	db      *sql.DB
	metrics *metrics
	batch   batcher
}

// Option configures a Store.
type Option func(*Store)

// WithMetrics registers the store's write latency and errors with reg.
func WithMetrics(reg prometheus.Registerer) Option {
	return func(s *Store) { s.metrics = newMetrics(reg) }
}

// Open opens the database in dir, creating dir and the database as needed,
// and brings its schema up to date.
func Open(dir string, opts ...Option) (*Store, error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	return OpenFile(filepath.Join(dir, FileName), opts...)
}

// OpenFile opens the database at path, as Open does.
func OpenFile(path string, opts ...Option) (*Store, error) {
	// WAL lets a backup read while the gateway writes; synchronous FULL
	// syncs the WAL on every commit, so that a change acknowledged to a
	// client survives the machine losing power, not only the process
	// dying; foreign keys make a deleted conference take its rows along.
	q := url.Values{}
	for _, p := range []string{
		"journal_mode(WAL)",
		"synchronous(FULL)",
		"busy_timeout(" + strconv.Itoa(int(busyTimeout.Milliseconds())) + ")",
		"foreign_keys(1)",
	} {
		q.Add("_pragma", p)
	}
	db, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	// One connection: the writes are serialised by SQLite anyway, and a
	// single connection never waits on itself for the write lock.
	db.SetMaxOpenConns(1)
	s := &Store{db: db}
	for _, o := range opts {
		o(s)
	}
	if s.metrics == nil {
		s.metrics = newMetrics(nil)
	}
	if err := s.check(); err != nil {
		db.Close()
		return nil, err
	}
	if err := s.migrate(); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

// check makes sure the pragmas took: a database that fell back to another
// journal mode would not be as durable as this package promises.
func (s *Store) check() error {
	var mode string
	if err := s.db.QueryRow("PRAGMA journal_mode").Scan(&mode); err != nil {
		return fmt.Errorf("store: %w", err)
	}
	var sync int
	if err := s.db.QueryRow("PRAGMA synchronous").Scan(&sync); err != nil {
		return fmt.Errorf("store: %w", err)
	}
	if !strings.EqualFold(mode, "wal") || sync != 2 {
		return fmt.Errorf("store: the database runs with journal_mode %s and synchronous %d, want wal and 2 (FULL)", mode, sync)
	}
	return nil
}

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

// migration is one file of migrations/, named NNNN_what.sql.
type migration struct {
	version int
	name    string
}

func listMigrations() ([]migration, error) {
	entries, err := fs.ReadDir(migrations, "migrations")
	if err != nil {
		return nil, err
	}
	var out []migration
	for _, e := range entries {
		num, _, ok := strings.Cut(e.Name(), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v < 1 {
			return nil, fmt.Errorf("store: migration %s is not named NNNN_what.sql", e.Name())
		}
		out = append(out, migration{version: v, name: e.Name()})
	}
	slices.SortFunc(out, func(a, b migration) int { return a.version - b.version })
	for i, m := range out {
		if m.version != i+1 {
			return nil, fmt.Errorf("store: migration %s out of sequence: want version %d", m.name, i+1)
		}
	}
	return out, nil
}

// Version is the schema version the database is at.
func (s *Store) Version() (int, error) {
	var v int
	err := s.db.QueryRow("SELECT version FROM schema_version").Scan(&v)
	if err != nil {
		return 0, fmt.Errorf("store: %w", err)
	}
	return v, nil
}

// migrate applies the migrations the database has not had yet, each with
// its version in one transaction, so a crash halfway leaves the database
// at the version before.
func (s *Store) migrate() error {
	all, err := listMigrations()
	if err != nil {
		return err
	}
	if _, err := s.db.Exec("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)"); err != nil {
		return fmt.Errorf("store: %w", err)
	}
	if _, err := s.db.Exec("INSERT INTO schema_version (version) SELECT 0 WHERE NOT EXISTS (SELECT 1 FROM schema_version)"); err != nil {
		return fmt.Errorf("store: %w", err)
	}
	current, err := s.Version()
	if err != nil {
		return err
	}
	if current > len(all) {
		return fmt.Errorf("store: the database is at schema version %d, newer than this confgw knows (%d): run a newer confgw", current, len(all))
	}
	for _, m := range all[current:] {
		body, err := migrations.ReadFile("migrations/" + m.name)
		if err != nil {
			return err
		}
		err = s.tx(context.Background(), "migrate", func(tx *sql.Tx) error {
			if _, err := tx.Exec(string(body)); err != nil {
				return err
			}
			_, err := tx.Exec("UPDATE schema_version SET version = ?", m.version)
			return err
		})
		if err != nil {
			return fmt.Errorf("store: migration %s: %w", m.name, err)
		}
	}
	return nil
}

// tx runs fn in a transaction, alone or in one with the writes waiting
// beside it (see batcher), and commits it, timing it as op.
func (s *Store) tx(ctx context.Context, op string, fn func(*sql.Tx) error) (err error) {
	start := time.Now()
	defer func() { s.metrics.observe(op, time.Since(start), err) }()
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.batch.run(s.db, fn)
}

// Create records a new conference.
func (s *Store) Create(c conference.ConferenceRecord) error {
	return s.tx(context.Background(), "create", func(tx *sql.Tx) error {
		_, err := tx.Exec(`INSERT INTO conferences (id, title, dial_in, pin, breakout_enabled, keypad, created_at_ns, event_seq)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, c.ID, c.Title, c.DialIn, c.PIN, c.Breakout, c.Keypad, c.CreatedAt.UnixNano(), int64(c.EventSeq))
		return err
	})
}

// Apply records one change of a conference in one transaction.
func (s *Store) Apply(ch conference.Change) error {
	return s.tx(context.Background(), "apply", func(tx *sql.Tx) error {
		// A change of a conference the store does not hold fails rather
		// than vanishes.
		var one int
		err := tx.QueryRow("SELECT 1 FROM conferences WHERE id = ?", ch.Conference).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("%w: %q", ErrNoConference, ch.Conference)
		}
		if err != nil {
			return err
		}
		if ch.Breakout != nil {
			if _, err := tx.Exec("UPDATE conferences SET breakout_enabled = ? WHERE id = ?", *ch.Breakout, ch.Conference); err != nil {
				return err
			}
		}
		if ch.Keypad != nil {
			if _, err := tx.Exec("UPDATE conferences SET keypad = ? WHERE id = ?", *ch.Keypad, ch.Conference); err != nil {
				return err
			}
		}
		if ch.EventSeq != 0 {
			if _, err := tx.Exec("UPDATE conferences SET event_seq = ? WHERE id = ?", int64(ch.EventSeq), ch.Conference); err != nil {
				return err
			}
		}
		for _, n := range ch.DeleteRooms {
			if _, err := tx.Exec("DELETE FROM rooms WHERE conference_id = ? AND number = ?", ch.Conference, n); err != nil {
				return err
			}
		}
		for _, n := range ch.AddRooms {
			if _, err := tx.Exec("INSERT INTO rooms (conference_id, number) VALUES (?, ?)", ch.Conference, n); err != nil {
				return err
			}
		}
		for _, id := range ch.DeleteParticipants {
			if _, err := tx.Exec("DELETE FROM participants WHERE conference_id = ? AND id = ?", ch.Conference, id); err != nil {
				return err
			}
		}
		for _, p := range ch.PutParticipants {
			_, err := tx.Exec(`INSERT INTO participants (conference_id, id, name, role, moderator, room, client_version, seq, joined_at_ns,
					muted, muted_by, mute_locked, hand_raised_at_ns, help)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
				ON CONFLICT (conference_id, id) DO UPDATE SET name = excluded.name, role = excluded.role,
					moderator = excluded.moderator, room = excluded.room, client_version = excluded.client_version,
					seq = excluded.seq, joined_at_ns = excluded.joined_at_ns,
					muted = excluded.muted, muted_by = excluded.muted_by, mute_locked = excluded.mute_locked,
					hand_raised_at_ns = excluded.hand_raised_at_ns, help = excluded.help`,
				ch.Conference, p.ID, p.Name, string(p.Role), p.Moderator, p.Room, p.ClientVersion, int64(p.Seq), p.JoinedAt.UnixNano(),
				p.Muted, p.MutedBy, p.Locked, nanos(p.HandRaisedAt), p.Help)
			if err != nil {
				return err
			}
		}
		for _, b := range ch.DeleteBans {
			if _, err := tx.Exec("DELETE FROM bans WHERE conference_id = ? AND number = ? AND participant_id = ?",
				ch.Conference, b.Number, b.Participant); err != nil {
				return err
			}
		}
		for _, b := range ch.PutBans {
			_, err := tx.Exec(`INSERT INTO bans (conference_id, number, participant_id, name, banned_by, reason, banned_at_ns)
				VALUES (?, ?, ?, ?, ?, ?, ?)
				ON CONFLICT (conference_id, number, participant_id) DO UPDATE SET name = excluded.name,
					banned_by = excluded.banned_by, reason = excluded.reason, banned_at_ns = excluded.banned_at_ns`,
				ch.Conference, b.Number, b.Participant, b.Name, b.BannedBy, b.Reason, b.At.UnixNano())
			if err != nil {
				return err
			}
		}
		return nil
	})
}

// Delete forgets a conference with its rooms and participants.
func (s *Store) Delete(id string) error {
	return s.tx(context.Background(), "delete", func(tx *sql.Tx) error {
		for _, q := range []string{
			"DELETE FROM participants WHERE conference_id = ?",
			"DELETE FROM bans WHERE conference_id = ?",
			"DELETE FROM rooms WHERE conference_id = ?",
		} {
			if _, err := tx.Exec(q, id); err != nil {
				return err
			}
		}
		res, err := tx.Exec("DELETE FROM conferences WHERE id = ?", id)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return fmt.Errorf("%w: %q", ErrNoConference, id)
		}
		return nil
	})
}

// Load returns every conference, ordered by id, its participants in the
// order they joined.
func (s *Store) Load() ([]conference.Saved, error) {
	var out []conference.Saved
	byID := map[string]int{}
	rows, err := s.db.Query(`SELECT id, title, dial_in, pin, breakout_enabled, keypad, created_at_ns, event_seq
		FROM conferences ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	for rows.Next() {
		var c conference.Saved
		var created, seq int64
		if err := rows.Scan(&c.ID, &c.Title, &c.DialIn, &c.PIN, &c.Breakout, &c.Keypad, &created, &seq); err != nil {
			rows.Close()
			return nil, fmt.Errorf("store: %w", err)
		}
		c.CreatedAt, c.EventSeq = time.Unix(0, created), uint64(seq)
		byID[c.ID] = len(out)
		out = append(out, c)
	}
	if err := closeRows(rows); err != nil {
		return nil, err
	}

	rows, err = s.db.Query("SELECT conference_id, number FROM rooms ORDER BY conference_id, number")
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	for rows.Next() {
		var cid string
		var n int
		if err := rows.Scan(&cid, &n); err != nil {
			rows.Close()
			return nil, fmt.Errorf("store: %w", err)
		}
		if i, ok := byID[cid]; ok {
			out[i].Rooms = append(out[i].Rooms, n)
		}
	}
	if err := closeRows(rows); err != nil {
		return nil, err
	}

	rows, err = s.db.Query(`SELECT conference_id, id, name, role, moderator, room, client_version, seq, joined_at_ns,
			muted, muted_by, mute_locked, hand_raised_at_ns, help
		FROM participants ORDER BY conference_id, seq`)
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	for rows.Next() {
		var cid, role string
		var p conference.ParticipantRecord
		var seq, joined, hand int64
		if err := rows.Scan(&cid, &p.ID, &p.Name, &role, &p.Moderator, &p.Room, &p.ClientVersion, &seq, &joined,
			&p.Muted, &p.MutedBy, &p.Locked, &hand, &p.Help); err != nil {
			rows.Close()
			return nil, fmt.Errorf("store: %w", err)
		}
		p.Role, p.Seq, p.JoinedAt = conference.Role(role), uint64(seq), time.Unix(0, joined)
		if hand != 0 {
			p.HandRaisedAt = time.Unix(0, hand)
		}
		if i, ok := byID[cid]; ok {
			out[i].Participants = append(out[i].Participants, p)
		}
	}
	if err := closeRows(rows); err != nil {
		return nil, err
	}

	rows, err = s.db.Query(`SELECT conference_id, number, participant_id, name, banned_by, reason, banned_at_ns
		FROM bans ORDER BY conference_id, banned_at_ns, number, participant_id`)
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	for rows.Next() {
		var cid string
		var b conference.Ban
		var at int64
		if err := rows.Scan(&cid, &b.Number, &b.Participant, &b.Name, &b.BannedBy, &b.Reason, &at); err != nil {
			rows.Close()
			return nil, fmt.Errorf("store: %w", err)
		}
		b.At = time.Unix(0, at)
		if i, ok := byID[cid]; ok {
			out[i].Bans = append(out[i].Bans, b)
		}
	}
	if err := closeRows(rows); err != nil {
		return nil, err
	}
	return out, nil
}

// nanos is t in Unix nanoseconds, 0 for the zero time (whose own
// UnixNano is undefined).
func nanos(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

func closeRows(rows *sql.Rows) error {
	err := rows.Err()
	if cerr := rows.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	return nil
}

var _ conference.Journal = (*Store)(nil)
