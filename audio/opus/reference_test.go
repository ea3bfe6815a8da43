package opus

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
)

// These tests hold the codec to libopus, the reference implementation, as
// Debian packages it in opus-tools (opusdec) and ffmpeg (its libopus
// encoder). They fail, rather than skip, without the tools: a skipped
// reference check is indistinguishable from a passing one in CI's summary.

// requireTool fails the test unless name is on the PATH.
func requireTool(t testing.TB, name, pkg string) {
	t.Helper()
	if _, err := exec.LookPath(name); err != nil {
		t.Fatalf("%s is not installed: the reference checks need it (apt-get install %s; scripts/test installs it)", name, pkg)
	}
}

func run(t testing.TB, name string, args ...string) {
	t.Helper()
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %v: %v\n%s", name, args, err, out)
	}
}

func int16sToBytes(pcm []int16) []byte {
	b := make([]byte, 0, 2*len(pcm))
	for _, v := range pcm {
		b = binary.LittleEndian.AppendUint16(b, uint16(v))
	}
	return b
}

func bytesToInt16s(b []byte) []int16 {
	pcm := make([]int16, len(b)/2)
	for i := range pcm {
		pcm[i] = int16(binary.LittleEndian.Uint16(b[2*i:]))
	}
	return pcm
}

// libopusEncode has ffmpeg's libopus encoder code pcm (interleaved if
// channels is 2) at rate with the given extra options, and returns the
// Ogg stream it wrote and the audio packets in it.
func libopusEncode(t testing.TB, pcm []int16, rate, channels int, opts ...string) (ogg []byte, packets [][]byte) {
	t.Helper()
	requireTool(t, "ffmpeg", "ffmpeg")
	dir := t.TempDir()
	in, out := filepath.Join(dir, "in.raw"), filepath.Join(dir, "out.opus")
	if err := os.WriteFile(in, int16sToBytes(pcm), 0o600); err != nil {
		t.Fatal(err)
	}
	args := []string{"-hide_banner", "-loglevel", "error", "-f", "s16le", "-ar", strconv.Itoa(rate),
		"-ac", strconv.Itoa(channels), "-i", in, "-c:a", "libopus"}
	args = append(args, opts...)
	run(t, "ffmpeg", append(args, "-f", "ogg", out)...)
	ogg, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	all, err := readOggPackets(ogg)
	if err != nil {
		t.Fatalf("ffmpeg's Ogg: %v", err)
	}
	return ogg, all[2:]
}

// opusdec decodes an Ogg Opus stream with libopus to mono at rate, pre-skip
// applied, undithered so that the figures are libopus's alone.
func opusdec(t testing.TB, ogg []byte, rate int) []int16 {
	t.Helper()
	requireTool(t, "opusdec", "opus-tools")
	dir := t.TempDir()
	in, out := filepath.Join(dir, "in.opus"), filepath.Join(dir, "out.raw")
	if err := os.WriteFile(in, ogg, 0o600); err != nil {
		t.Fatal(err)
	}
	run(t, "opusdec", "--quiet", "--no-dither", "--rate", strconv.Itoa(rate), in, out)
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return bytesToInt16s(b)
}

// ffmpegDecode decodes an Ogg Opus stream with ffmpeg's own Opus decoder,
// a second opinion on whether a stream is well-formed.
func ffmpegDecode(t testing.TB, ogg []byte, rate int) []int16 {
	t.Helper()
	requireTool(t, "ffmpeg", "ffmpeg")
	dir := t.TempDir()
	in := filepath.Join(dir, "in.opus")
	if err := os.WriteFile(in, ogg, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("ffmpeg", "-hide_banner", "-loglevel", "error", "-i", in,
		"-f", "s16le", "-ac", "1", "-ar", strconv.Itoa(rate), "-").Output()
	if err != nil {
		t.Fatalf("ffmpeg decoding our stream: %v", err)
	}
	return bytesToInt16s(out)
}

// decodeAll decodes packets in order with a fresh Decoder at rate, leaving
// room for the longest packet so that every sample is kept.
func decodeAll(t testing.TB, packets [][]byte, rate int) []int16 {
	t.Helper()
	d, err := NewDecoder(rate)
	if err != nil {
		t.Fatal(err)
	}
	pcm := make([]int16, rate*maxPacketMillis/1000)
	var all []int16
	for i, p := range packets {
		n, err := d.Decode(p, pcm)
		if err != nil {
			t.Fatalf("packet %d (TOC %08b): %v", i, p[0], err)
		}
		all = append(all, pcm[:n]...)
	}
	return all
}

func preSkip(t testing.TB, ogg []byte) int {
	t.Helper()
	p, err := readOggPackets(ogg)
	if err != nil {
		t.Fatal(err)
	}
	return int(binary.LittleEndian.Uint16(p[0][10:]))
}

// At 48 kHz neither decoder resamples, so gopus and libopus must agree
// sample for sample, up to rounding, in every mode a browser or phone may
// send. (opusdec resamples for any other rate, which would blur the
// comparison; the room rates are checked by ear, as it were, below.)
func TestGopusDecodesWhatLibopusEncodesAsLibopusDoes(t *testing.T) {
	tests := []struct {
		name string
		rate int
		opts []string
	}{
		{"SILK narrowband", 8000, []string{"-b:a", "16k", "-application", "voip"}},
		{"SILK wideband", 16000, []string{"-b:a", "32k", "-application", "voip"}},
		{"hybrid fullband", 48000, []string{"-b:a", "32k", "-application", "voip"}},
		{"CELT fullband", 48000, []string{"-b:a", "64k", "-application", "audio"}},
		{"CELT 10 ms", 48000, []string{"-b:a", "64k", "-application", "lowdelay", "-frame_duration", "10"}},
		{"SILK 60 ms", 16000, []string{"-b:a", "24k", "-application", "voip", "-frame_duration", "60"}},
		{"in-band FEC", 16000, []string{"-b:a", "32k", "-application", "voip", "-fec", "1", "-packet_loss", "20"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := speechLike(tt.rate)
			ogg, packets := libopusEncode(t, src, tt.rate, 1, tt.opts...)
			ref := opusdec(t, ogg, 48000)
			ours := decodeAll(t, packets, 48000)[preSkip(t, ogg):]
			if len(ours) < len(ref) {
				t.Fatalf("gopus decoded %d samples, libopus %d", len(ours), len(ref))
			}
			worst := 0
			for i := range ref {
				worst = max(worst, abs(int(ours[i])-int(ref[i])))
			}
			if worst > 1 {
				t.Errorf("gopus and libopus differ by up to %d (1 is rounding)", worst)
			}
		})
	}
}

func abs(x int) int { return max(x, -x) }

// What a browser sends, libopus at 48 kHz in the VoIP application, must
// reach a room as the same tone at the room's rate: level kept, nothing
// else near it.
func TestAToneFromLibopusReachesTheRoomAtItsRate(t *testing.T) {
	for _, rate := range roomRates {
		for _, f := range []float64{440, 1000, 3000, 5200} {
			if f >= float64(rate)/2 {
				continue
			}
			_, packets := libopusEncode(t, tone(f, 0.5, 48000, 48000), 48000, 1, "-b:a", "32k", "-application", "voip")
			r := analyse(decodeAll(t, packets, rate), rate, f)
			if r.toneDBFS < -7 || r.toneDBFS > -5 || r.below() < 40 {
				t.Errorf("%.0f Hz at %d Hz: tone at %.1f dBFS (sent at -6), strongest other thing %.1f dB below it at %.0f Hz",
					f, rate, r.toneDBFS, r.below(), r.worstHz)
			}
		}
	}
}

// A stereo browser's two channels both reach a mono room, each at half its
// level (an equal-power downmix would be 3 dB louder, a dropped channel
// silent).
func TestBothChannelsOfAStereoPeerReachAMonoRoom(t *testing.T) {
	left, right := tone(440, 0.5, 48000, 48000), tone(1000, 0.5, 48000, 48000)
	pcm := make([]int16, 0, 2*len(left))
	for i := range left {
		pcm = append(pcm, left[i], right[i])
	}
	_, packets := libopusEncode(t, pcm, 48000, 2, "-b:a", "96k", "-application", "audio")
	if packets[5][0]&0x4 == 0 {
		t.Fatalf("TOC %08b: libopus did not code stereo", packets[5][0])
	}
	got := decodeAll(t, packets, 16000)
	for _, f := range []float64{440, 1000} {
		if r := analyse(got, 16000, f); r.toneDBFS < -13 || r.toneDBFS > -11 {
			t.Errorf("%.0f Hz channel at %.1f dBFS, want -12 (half of -6 dBFS)", f, r.toneDBFS)
		}
	}
}

// encodeOgg codes signal with our Encoder and wraps the packets for the
// reference decoders.
func encodeOgg(t testing.TB, signal []int16, rate, bitrate int) []byte {
	t.Helper()
	e, err := NewEncoder(rate, bitrate)
	if err != nil {
		t.Fatal(err)
	}
	lookahead := e.enc.Lookahead() * 48000 / rate
	frame := rate / 50
	out := make([]byte, MaxPacketSize)
	var packets [][]byte
	for i := 0; i+frame <= len(signal); i += frame {
		n, err := e.Encode(signal[i:i+frame], out)
		if err != nil {
			t.Fatal(err)
		}
		packets = append(packets, bytes.Clone(out[:n]))
	}
	return writeOggOpus(packets, lookahead, rate)
}

// playedLen is how many samples at 48 kHz a stream of encodeOgg's plays
// for signal: its packets' worth less the encoder's lookahead, which is
// still inside the encoder when the signal ends.
func playedLen(t testing.TB, ogg []byte) int {
	p, err := readOggPackets(ogg)
	if err != nil {
		t.Fatal(err)
	}
	return 960*(len(p)-2) - preSkip(t, ogg)
}

// What a room sends must be heard as sent by libopus (opusdec, what a
// browser runs) and by ffmpeg's independent decoder: the stream is valid
// Opus, plays for as long as it should, and the tone arrives at its level
// without company.
func TestLibopusAndFFmpegHearWhatWeEncode(t *testing.T) {
	for _, rate := range roomRates {
		for _, f := range []float64{440, 1000, 3000} {
			src := tone(f, 0.5, rate, rate)
			ogg := encodeOgg(t, src, rate, DefaultBitrate)
			for name, got := range map[string][]int16{
				"opusdec": opusdec(t, ogg, 48000),
				"ffmpeg":  ffmpegDecode(t, ogg, 48000),
			} {
				if want := playedLen(t, ogg); len(got) != want {
					t.Errorf("%s decoded %d samples, want %d", name, len(got), want)
				}
				r := analyse(got, 48000, f)
				if r.toneDBFS < -7 || r.toneDBFS > -5 || r.below() < 40 {
					t.Errorf("%s, %.0f Hz at %d Hz: tone at %.1f dBFS (sent at -6), strongest other thing %.1f dB below it at %.0f Hz",
						name, f, rate, r.toneDBFS, r.below(), r.worstHz)
				}
			}
		}
	}
}

// measuredBitrates span what WebRTC peers use for mono speech.
var measuredBitrates = []int{24000, 32000, 48000, 64000}

// measure returns, for each of measuredBitrates and then each tone, how
// far below the tone the strongest other component is once an encoder at
// rate has coded it and libopus decoded it at 48 kHz, as a browser does.
// The encoder is ours, or with libopus set, libopus's own (through ffmpeg)
// at the same settings, to tell what is Opus's doing from what is gopus's.
func measure(t testing.TB, rate int, tones []float64, libopus bool) [][]toneReport {
	t.Helper()
	reports := make([][]toneReport, len(measuredBitrates))
	for i, br := range measuredBitrates {
		for _, f := range tones {
			// 1.5 s leaves analyse a second clear of the encoder's start.
			src := tone(f, 0.5, rate, rate*3/2)
			var ogg []byte
			if libopus {
				ogg, _ = libopusEncode(t, src, rate, 1, "-b:a", strconv.Itoa(br), "-application", "voip", "-frame_duration", "20")
			} else {
				ogg = encodeOgg(t, src, rate, br)
			}
			reports[i] = append(reports[i], analyse(opusdec(t, ogg, 48000), 48000, f))
		}
	}
	return reports
}

// logTable logs reports as measure returns them, one row a bitrate, and
// returns each row's worst figure.
func logTable(t testing.TB, title string, tones []float64, reports [][]toneReport) []float64 {
	t.Helper()
	head, rule := "| "+title+" |", "|---|"
	for _, f := range tones {
		head += fmt.Sprintf(" %.0f Hz |", f)
		rule += "---|"
	}
	table := head + " worst |\n" + rule + "---|\n"
	worsts := make([]float64, len(reports))
	for i, row := range reports {
		table += fmt.Sprintf("| %d kbit/s |", measuredBitrates[i]/1000)
		worsts[i] = math.Inf(1)
		for _, r := range row {
			table += fmt.Sprintf(" %.1f |", r.below())
			worsts[i] = min(worsts[i], r.below())
		}
		table += fmt.Sprintf(" %.1f |\n", worsts[i])
	}
	t.Logf("dB from a -6 dBFS tone down to the strongest other component:\n%s", table)
	return worsts
}

// The default bitrate is the one that keeps the worst artefact furthest
// below a tone at 16 kHz, the rate rooms are moving to; run with -v for
// the table doc.go quotes.
func TestTheDefaultBitrateKeepsArtefactsFurthestBelowATone(t *testing.T) {
	wide := []float64{440, 1000, 3000, 5200}
	worsts := logTable(t, "16 kHz, ours", wide, measure(t, 16000, wide, false))
	var best, atDefault float64
	for i, br := range measuredBitrates {
		best = max(best, worsts[i])
		if br == DefaultBitrate {
			atDefault = worsts[i]
		}
	}
	if atDefault < best-1 {
		t.Errorf("DefaultBitrate %d leaves the worst artefact %.1f dB below a tone; another bitrate reaches %.1f",
			DefaultBitrate, atDefault, best)
	}
	logTable(t, "16 kHz, libopus's encoder", wide, measure(t, 16000, wide, true))
	narrow := []float64{440, 1000, 3000}
	logTable(t, "8 kHz, ours", narrow, measure(t, 8000, narrow, false))
}
