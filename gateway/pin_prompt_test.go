package gateway_test

import (
	"math"
	"testing"

	"github.com/confgw/confgw/audio"
	"github.com/confgw/confgw/audio/g711"
	"github.com/confgw/confgw/conference"
	"github.com/confgw/confgw/gateway/prompts"
	"github.com/confgw/confgw/internal/sipphone"
	"github.com/confgw/confgw/internal/tone"
)

// quiet is the RMS under which a frame counts as silence: G.711 silence
// decodes to 0 (PCMU) or ±8 (PCMA), while the prompts' quietest speech
// frames are far louder.
const quiet = 30

func frameRMS(s []int16) float64 {
	var sum float64
	for _, x := range s {
		sum += float64(x) * float64(x)
	}
	return math.Sqrt(sum / float64(len(s)))
}

// heardAs is what a phone hears of f: encoded by the gateway in the leg's
// codec and decoded by the phone.
func heardAs(codec string, f *audio.Frame) []int16 {
	var enc [g711.FrameBytes]byte
	out := make([]int16, audio.NarrowbandFrameSamples)
	if codec == "PCMA" {
		g711.EncodeAlaw(enc[:], f.Samples())
		g711.DecodeAlaw(out, enc[:])
	} else {
		g711.EncodeUlaw(enc[:], f.Samples())
		g711.DecodeUlaw(out, enc[:])
	}
	return out
}

// matches tells whether heard, from its start, carries p's frames from
// frame `from` on, n of them, as the phone would hear them. The tolerance
// (error energy a thousandth of the signal's) allows for nothing but
// rounding: another sound, or the same one shifted, is far off.
func matches(heard []int16, p *prompts.Prompt, from, n int, codec string) bool {
	if len(heard) < n*audio.NarrowbandFrameSamples || from+n > len(p.Frames) {
		return false
	}
	var sig, diff float64
	for i := range n {
		want := heardAs(codec, &p.Frames[from+i])
		got := heard[i*audio.NarrowbandFrameSamples:]
		for j, w := range want {
			d := float64(got[j]) - float64(w)
			sig += float64(w) * float64(w)
			diff += d * d
		}
	}
	return sig > 0 && diff <= sig/1000
}

// find returns where, at a frame boundary of heard, the phone heard the
// first n frames of p, or -1. Every packet is one frame, so a prompt's
// frames line up with the boundaries of what the phone recorded.
func find(heard []int16, p *prompts.Prompt, n int, codec string) int {
	for at := 0; at+n*audio.NarrowbandFrameSamples <= len(heard); at += audio.NarrowbandFrameSamples {
		if matches(heard[at:], p, 0, n, codec) {
			return at
		}
	}
	return -1
}

// TestPINPromptIsSpoken: a caller to a PIN-protected conference hears the
// spoken request for the PIN, sample for sample after G.711, from the first
// sound it gets; speech, not the beep it replaced.
func TestPINPromptIsSpoken(t *testing.T) {
	for _, codec := range []string{"PCMU", "PCMA"} {
		t.Run(codec, func(t *testing.T) {
			h := newHarness(t, harnessOptions{})
			pinConference(t, h)
			call := h.dial(h.phone(sipphone.Config{Tone: 440, Codecs: []string{codec}}), "board")
			eventually(t, "0.8 s of prompt heard", func() bool { return call.Media.PacketsIn() >= 40 })
			// The phone keeps everything until it has 2 s: all it heard so far.
			heard := call.Media.Recent(16000)
			if len(heard) < 40*audio.NarrowbandFrameSamples || len(heard) > 90*audio.NarrowbandFrameSamples {
				t.Fatalf("%d samples recorded, want all of the first 0.8 to 1.8 s", len(heard))
			}
			if lvl := 20 * math.Log10(frameRMS(heard)/32768); lvl < -30 {
				t.Fatalf("heard %.1f dBFS RMS: near silence, not a prompt", lvl)
			}
			// The old prompt was one beep: most of the energy at 660 Hz.
			for i := 0; i+1600 <= len(heard); i += 1600 {
				for f := 200.0; f <= 3400; f += 2 {
					if sh := tone.Share(heard[i:i+1600], f, audio.NarrowbandHz); sh > 0.6 {
						t.Fatalf("%.2f of the audio at %.2f s is at %v Hz: a tone, not speech", sh, float64(i)/8000, f)
					}
				}
			}
			first := 0
			for first*audio.NarrowbandFrameSamples < len(heard) && frameRMS(heard[first*audio.NarrowbandFrameSamples:][:audio.NarrowbandFrameSamples]) < quiet {
				first++
			}
			from := 0
			for from < len(prompts.EnterPIN.Frames) && frameRMS(heardAs(codec, &prompts.EnterPIN.Frames[from])) < quiet {
				from++
			}
			if !matches(heard[first*audio.NarrowbandFrameSamples:], prompts.EnterPIN, from, 30, codec) {
				t.Fatalf("the 0.6 s from the first sound heard (frame %d) is not the PIN prompt from its frame %d", first, from)
			}
			if first > 10 {
				t.Errorf("%d frames heard before the prompt began", first)
			}
		})
	}
}

// TestPINPromptBargeIn: a key stops the prompt at once, a wrong PIN gets
// the "not correct" prompt (which a key cuts short too), and the right one
// is welcomed before the caller is put in the room.
func TestPINPromptBargeIn(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	board := pinConference(t, h)
	// A pause in the prompt as long as the silence this test waits for
	// would let a prompt that ignored the key pass.
	const gap = 12 // frames
	run := 0
	for i := range prompts.EnterPIN.Frames {
		if run = run + 1; frameRMS(prompts.EnterPIN.Frames[i].Samples()) >= quiet {
			run = 0
		}
		if run >= gap && i < len(prompts.EnterPIN.Frames)-gap {
			t.Fatalf("the PIN prompt has %d silent frames before frame %d", gap, i)
		}
	}

	call := h.dial(h.phone(sipphone.Config{Tone: 440}), "board")
	eventually(t, "0.5 s of prompt heard", func() bool { return call.Media.PacketsIn() >= 25 })
	key(t, call, "1")
	mark := call.Media.PacketsIn()
	eventually(t, "0.4 s more heard", func() bool { return call.Media.PacketsIn() >= mark+20 })
	if rms := frameRMS(call.Media.Recent(gap * audio.NarrowbandFrameSamples)); rms >= quiet {
		t.Fatalf("prompt still playing 0.2 s after a key (RMS %.0f of the last %d frames)", rms, gap)
	}

	key(t, call, "#")
	eventually(t, "the wrong-PIN prompt heard", func() bool {
		return find(call.Media.Recent(8000), prompts.WrongPIN, 20, "PCMU") >= 0
	})
	key(t, call, "2468#")
	eventually(t, "the welcome heard", func() bool {
		return find(call.Media.Recent(8000), prompts.Joined, 20, "PCMU") >= 0
	})
	// The welcome is 1 s long and the caller joins after it, so 0.4 s in
	// the caller is still out of the room.
	if n := len(phones(board)); n != 0 {
		t.Fatalf("%d phones in the room before the welcome was over", n)
	}
	eventually(t, "the caller admitted", func() bool { return len(phones(board)) == 1 })
}

// TestPINGoodbye: after the third wrong PIN the caller hears "Goodbye" in
// full, then the BYE.
func TestPINGoodbye(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	pinConference(t, h)
	call := h.dial(h.phone(sipphone.Config{Tone: 440}), "board")
	key(t, call, "1#")
	key(t, call, "2#")
	key(t, call, "3#")
	closed(t, call.Done(), "BYE after the third wrong PIN")
	// All but the trailing silence, which the BYE may overtake.
	n := len(prompts.Goodbye.Frames) - 3
	eventually(t, "the goodbye heard before the BYE", func() bool {
		return find(call.Media.Recent(8000), prompts.Goodbye, n, "PCMU") >= 0
	})
}

// A caller a host mutes is told so in words, and again when unmuted; the
// room stops hearing it from the mute and hears it again after.
func TestAMutedCallerIsToldAndNotHeard(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	ear := h.dial(h.phone(sipphone.Config{User: "+15550150"}), "demo")
	eventually(t, "the first caller in the room", func() bool { return len(phones(h.demo)) == 1 })
	me := phones(h.demo)[0]

	if _, err := h.demo.Mute(conference.Admin, me.ID, false); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the caller hearing \"You are muted.\"", func() bool {
		return find(ear.Media.Recent(16000), prompts.Muted, 20, "PCMU") >= 0
	})
	if _, err := h.demo.Unmute(conference.Admin, me.ID); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the caller hearing \"You are unmuted.\"", func() bool {
		return find(ear.Media.Recent(16000), prompts.Unmuted, 20, "PCMU") >= 0
	})

	h.dial(h.phone(sipphone.Config{User: "+15550151", Tone: 770}), "demo")
	eventually(t, "the first caller hearing the second", func() bool { return ear.Media.Hears(770) })
	var second conference.Participant
	for _, p := range phones(h.demo) {
		if p.ID != me.ID {
			second = p
		}
	}
	if _, err := h.demo.Mute(conference.Admin, second.ID, true); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the room no longer hearing the muted caller", func() bool { return !ear.Media.Hears(770) })
	if _, err := h.demo.Unmute(conference.Admin, second.ID); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the room hearing the unmuted caller again", func() bool { return ear.Media.Hears(770) })

}
