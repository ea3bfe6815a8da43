// Command phone is the browser tests' desk phone: it dials a SIP URI, plays
// a steady tone as G.711 and, every 200 ms until it is stopped, prints one
// JSON line telling how much of what it heard in the last 200 ms lay at
// each frequency it was told to watch:
//
//	{"t":3.2,"rms":812,"hears":{"1000":0.93,"600":0}}
//
// t is seconds since the call was answered; rms is the level heard, in
// 16-bit sample units, so that silence can be told from a tone it drowned.
// Shares are level-free (tone.Share), which lets a test judge a browser's
// tone whatever its microphone processing did to the volume.
//
//	phone -tone 600 -watch 1000,600 sip:demo@127.0.0.1:5060
//
// SIGTERM or SIGINT hangs up; a call the gateway ends makes it exit too.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/confgw/confgw/audio"
	"github.com/confgw/confgw/internal/sipphone"
	"github.com/confgw/confgw/internal/tone"
)

// window is what each line judges: 200 ms at the phone's 8 kHz, long
// enough to tell tones 75 Hz apart, short enough to follow a mute.
const window = audio.NarrowbandHz / 5

type report struct {
	T     float64            `json:"t"`
	RMS   float64            `json:"rms"`
	Hears map[string]float64 `json:"hears"`
}

func main() {
	freq := flag.Float64("tone", 600, "the tone the phone plays, in Hz (0 for silence)")
	watch := flag.String("watch", "", "comma-separated frequencies in Hz to report the share of")
	name := flag.String("name", "Desk phone", "display name in From")
	user := flag.String("user", "5550100", "user part of From: the caller's number")
	dial := flag.Duration("dial-timeout", 60*time.Second, "how long to wait for the answer")
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "usage: %s [flags] sip:user@host:port\n", os.Args[0])
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() != 1 {
		flag.Usage()
		os.Exit(2)
	}
	freqs, err := parseFreqs(*watch)
	if err != nil {
		fmt.Fprintln(os.Stderr, "phone:", err)
		os.Exit(2)
	}
	if err := run(flag.Arg(0), *freq, freqs, *name, *user, *dial); err != nil {
		fmt.Fprintln(os.Stderr, "phone:", err)
		os.Exit(1)
	}
}

func parseFreqs(s string) ([]float64, error) {
	var out []float64
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		v, err := strconv.ParseFloat(f, 64)
		if err != nil || v <= 0 || v >= audio.NarrowbandHz/2 {
			return nil, fmt.Errorf("-watch: %q is no frequency a phone can hear", f)
		}
		out = append(out, v)
	}
	return out, nil
}

func run(target string, freq float64, watch []float64, name, user string, dialTimeout time.Duration) error {
	stop, cancel := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer cancel()
	p, err := sipphone.New(sipphone.Config{Name: name, User: user, Tone: freq})
	if err != nil {
		return err
	}
	defer p.Close()
	ctx, cancelDial := context.WithTimeout(stop, dialTimeout)
	call, err := p.Dial(ctx, target, sipphone.CallOptions{})
	cancelDial()
	if err != nil {
		return fmt.Errorf("dial %s: %w", target, err)
	}
	answered := time.Now()
	out := json.NewEncoder(os.Stdout)
	tick := time.NewTicker(window * time.Second / audio.NarrowbandHz)
	defer tick.Stop()
	for {
		select {
		case <-stop.Done():
			// Hang up so the gateway drops the participant now rather
			// than at its RTP timeout.
			bye, cancelBye := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancelBye()
			return call.HangUp(bye)
		case <-call.Done():
			fmt.Fprintln(os.Stderr, "phone: the gateway ended the call")
			return nil
		case <-tick.C:
		}
		heard := call.Media.Recent(window)
		r := report{T: round(time.Since(answered).Seconds()), Hears: map[string]float64{}}
		if len(heard) == window {
			r.RMS = math.Round(rms(heard))
			for _, f := range watch {
				r.Hears[strconv.FormatFloat(f, 'f', -1, 64)] = round(tone.Share(heard, f, audio.NarrowbandHz))
			}
		}
		if err := out.Encode(r); err != nil {
			return err
		}
	}
}

func rms(s []int16) float64 {
	var sum float64
	for _, x := range s {
		sum += float64(x) * float64(x)
	}
	return math.Sqrt(sum / float64(len(s)))
}

func round(v float64) float64 { return math.Round(v*1000) / 1000 }
