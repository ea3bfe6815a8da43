package store_test

import (
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/confgw/confgw/conference"
	"github.com/confgw/confgw/store"
)

// BenchmarkApplyFromEightWriters is eight clients changing conferences at
// once: with their writes grouped, a disk sync serves several of them.
func BenchmarkApplyFromEightWriters(b *testing.B) {
	s, err := store.Open(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	for i := range 64 {
		if err := s.Create(conference.ConferenceRecord{ID: fmt.Sprint("c", i), Title: "T", DialIn: fmt.Sprint("d", i), CreatedAt: time.Now()}); err != nil {
			b.Fatal(err)
		}
	}
	var n atomic.Int64
	b.SetParallelism(8)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := n.Add(1)
			p := conference.ParticipantRecord{ID: fmt.Sprint("p", i), Name: "P", Role: conference.RoleParticipant, Room: "main", ClientVersion: "5.0", Seq: uint64(i), JoinedAt: time.Now()}
			if err := s.Apply(conference.Change{Conference: fmt.Sprint("c", i%64), PutParticipants: []conference.ParticipantRecord{p}}); err != nil {
				b.Fatal(err)
			}
		}
	})
}
