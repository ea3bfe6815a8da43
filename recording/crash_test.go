package recording

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// crashChild names the directory a re-executed test binary records into
// until it is killed.
const crashChild = "CONFGW_RECORDING_CRASH_CHILD"

// recordUntilKilled is the child's side: a store records a steady mix, at
// ten times the mixer's pace so the test is quick, and says how far it got
// until the parent kills it.
func recordUntilKilled(dir string) {
	s, err := NewStore(dir)
	if err != nil {
		fmt.Println("error", err)
		os.Exit(1)
	}
	r, err := s.Start("crash")
	if err != nil {
		fmt.Println("error", err)
		os.Exit(1)
	}
	fmt.Println("id", r.ID())
	frames := testFrames(50)
	for i := 0; ; i++ {
		r.WriteMix(&frames[i%len(frames)])
		time.Sleep(2 * time.Millisecond)
		if i%25 == 0 {
			fmt.Println("data", r.DataBytes())
		}
	}
}

// ffprobeDuration is how long ffprobe says a file plays.
func ffprobeDuration(t *testing.T, file string) float64 {
	t.Helper()
	bin, err := exec.LookPath("ffprobe")
	if err != nil {
		t.Fatalf("ffprobe (Debian package ffmpeg) is needed to check what a player makes of a recording: %v", err)
	}
	out, err := exec.Command(bin, "-v", "error", "-show_entries", "format=duration", "-of", "default=noprint_wrappers=1:nokey=1", file).CombinedOutput()
	if err != nil {
		t.Fatalf("ffprobe %s: %v\n%s", file, err, out)
	}
	d, err := strconv.ParseFloat(strings.TrimSpace(string(out)), 64)
	if err != nil {
		// ffprobe says N/A for a file it finds no audio in.
		return 0
	}
	return d
}

func TestARecordingKilledMidwayLeavesAFilePlayersReadToWithinACheckpoint(t *testing.T) {
	if dir := os.Getenv(crashChild); dir != "" {
		recordUntilKilled(dir)
		return
	}
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^"+t.Name()+"$")
	cmd.Env = append(os.Environ(), crashChild+"="+dir)
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var id string
	lines := bufio.NewScanner(stdout)
	// Five seconds of audio in: past two checkpoints, and between two.
	for lines.Scan() {
		f := strings.Fields(lines.Text())
		switch {
		case len(f) == 2 && f[0] == "id":
			id = f[1]
			continue
		case len(f) == 2 && f[0] == "data":
			if n, _ := strconv.ParseInt(f[1], 10, 64); n < 5*sampleRate*blockAlign {
				continue
			}
		default:
			t.Fatalf("child: %s", lines.Text())
		}
		break
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	go io.Copy(io.Discard, stdout)
	if err := cmd.Wait(); err == nil || id == "" {
		t.Fatalf("child ended with %v before it was killed, recording %q", err, id)
	}

	file := filepath.Join(dir, "crash", id+ext)
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	w := parseWAV(t, b[:len(b)/blockAlign*blockAlign])
	onDisk := int64(len(b) - headerSize)
	if w.riffSize != w.dataSize+36 {
		t.Fatalf("RIFF size %d does not go with data size %d", w.riffSize, w.dataSize)
	}
	if int64(w.dataSize) > onDisk || onDisk-int64(w.dataSize) > checkpointBytes {
		t.Fatalf("header sizes %d bytes of audio, the file holds %d: more than a checkpoint (%d) apart", w.dataSize, onDisk, checkpointBytes)
	}
	if d := ffprobeDuration(t, file); d <= 0 {
		t.Fatalf("ffprobe reads %v s of a recording killed after %d bytes of audio", d, onDisk)
	}

	// The store makes the header whole: nothing that reached the disk is lost.
	s, err := NewStore(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	rc, info, err := s.Open("crash", id)
	if err != nil {
		t.Fatalf("Open after the crash: %v", err)
	}
	rc.Close()
	fixed, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	fw := parseWAV(t, fixed)
	if data := onDisk / blockAlign * blockAlign; int64(fw.dataSize) != data || int64(len(fixed)) != headerSize+data || info.Bytes != int64(len(fixed)) {
		t.Fatalf("repaired file %d bytes sized %d, served as %d; want all %d bytes of whole samples", len(fixed), fw.dataSize, info.Bytes, data)
	}
	want := float64(fw.dataSize) / (sampleRate * blockAlign)
	if d := ffprobeDuration(t, file); math.Abs(d-want) > 0.01 {
		t.Fatalf("ffprobe reads %v s of the repaired recording, want %v", d, want)
	}
	if want*1000-float64(info.DurationMS) > 1 {
		t.Fatalf("listed as %d ms, want %v s", info.DurationMS, want)
	}
}

// damaged writes a file into the store as a crash or a stranger left it.
func damaged(t *testing.T, dir, conf, id string, b []byte) string {
	t.Helper()
	file := filepath.Join(dir, conf, id+ext)
	if err := os.MkdirAll(filepath.Dir(file), 0o750); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, b, 0o640); err != nil {
		t.Fatal(err)
	}
	return file
}

func withHeader(data uint32, n int) []byte {
	h := header(data)
	b := append(h[:], make([]byte, n)...)
	for i := headerSize; i < len(b); i++ {
		b[i] = byte(i)
	}
	return b
}

func TestTheStoreRepairsAFileACrashLeftBehindAndServesOnlyWellFormedOnes(t *testing.T) {
	empty := header(0)
	for _, c := range []struct {
		name     string
		file     []byte
		wantData int // -1: not a recording
	}{
		{"header never updated", withHeader(0, 6400), 6400},
		{"header a checkpoint behind", withHeader(640, 6400), 6400},
		{"cut mid-sample", withHeader(640, 6401), 6400},
		{"header ahead of the audio", withHeader(64000, 6400), 6400},
		{"cut before the first frame", withHeader(0, 0), 0},
		{"cut inside the header", empty[:20], 0},
		{"empty file", nil, 0},
		{"well-formed already", withHeader(6400, 6400), 6400},
		{"not a WAV", []byte("a text file that happens to be named like a recording, long enough to be a header"), -1},
		{"a WAV of another format", func() []byte { b := withHeader(6400, 6400); b[22] = 2; return b }(), -1},
	} {
		t.Run(c.name, func(t *testing.T) {
			s, dir := newTestStore(t)
			const id = "20260301T093015Z-0000abcd"
			file := damaged(t, dir, "room", id, c.file)

			list, err := s.List("room")
			if err != nil {
				t.Fatal(err)
			}
			rc, info, err := s.Open("room", id)
			if c.wantData < 0 {
				if len(list) != 0 || !errors.Is(err, ErrNotFound) {
					t.Fatalf("List = %+v, Open = %v; want it neither listed nor served", list, err)
				}
				if b, _ := os.ReadFile(file); string(b) != string(c.file) {
					t.Fatalf("a file that is not a recording was changed")
				}
				return
			}
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			served, err := io.ReadAll(rc)
			rc.Close()
			if err != nil {
				t.Fatal(err)
			}
			w := parseWAV(t, served)
			if int(w.dataSize) != c.wantData || w.riffSize != w.dataSize+36 || len(served) != headerSize+c.wantData {
				t.Fatalf("served %d bytes sized RIFF %d data %d, want %d bytes of audio", len(served), w.riffSize, w.dataSize, c.wantData)
			}
			if c.wantData > 0 && string(served[headerSize:]) != string(c.file[headerSize:headerSize+c.wantData]) {
				t.Fatalf("the audio changed in the repair")
			}
			wantMS := int64(c.wantData / blockAlign * 1000 / sampleRate)
			if len(list) != 1 || list[0].Bytes != int64(len(served)) || list[0].DurationMS != wantMS || info.DurationMS != wantMS {
				t.Fatalf("List = %+v, Open info %+v; want %d bytes, %d ms", list, info, len(served), wantMS)
			}
		})
	}
}

// The header keeps up while the recording runs, not only on Close.
func TestTheHeaderCatchesUpWithEveryTwoSecondsOfAudio(t *testing.T) {
	f, err := os.Create(filepath.Join(t.TempDir(), "r.wav"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	w, err := NewWriter(f, WithQueue(1000))
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	const frames = 5 * 50 // five seconds
	fs := testFrames(frames)
	for i := range fs {
		w.WriteMix(&fs[i])
	}
	deadline := time.Now().Add(30 * time.Second)
	for w.DataBytes() < frames*frameBytes {
		if time.Now().After(deadline) {
			t.Fatalf("only %d bytes written", w.DataBytes())
		}
		time.Sleep(5 * time.Millisecond)
	}
	b, err := os.ReadFile(f.Name())
	if err != nil {
		t.Fatal(err)
	}
	got := parseWAV(t, b[:len(b)/blockAlign*blockAlign])
	if want := uint32(4 * sampleRate * blockAlign); got.dataSize != want || got.riffSize != want+36 {
		t.Fatalf("header sizes RIFF %d data %d four seconds in, want %d %d", got.riffSize, got.dataSize, want+36, want)
	}
}
