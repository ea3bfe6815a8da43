package main

import (
	"errors"
	"fmt"
	"os"
	"runtime/pprof"
	"strings"

	"github.com/spf13/cobra"

	"github.com/confgw/confgw/internal/loadgen"
)

// errLoadTestFailed makes the command exit non-zero after printing the
// report, whose problems say why.
var errLoadTestFailed = errors.New("load test failed")

func newLoadTest() *cobra.Command {
	cfg := loadgen.Defaults()
	var output, cpuProfile string
	var latency bool
	cmd := &cobra.Command{
		Use:   "loadtest",
		Short: "Load a gateway with SIP calls and WebRTC app audio, and report set-up, loss and who hears whom",
		Long: `loadtest places SIP calls into a conference's dial-in and plays PCMU into
each, a few legs ("talkers") a distinct loud tone and the rest a faint one.

With --webrtc N it also adds N app participants to the conference through
the API (--server, with --token the admin key or a host's token) and joins
each one's audio over WebRTC: Opus at 16 kHz, over ICE, DTLS and SRTP, the
first --webrtc-talkers of them with a loud tone of their own and the rest a
faint one. Each WebRTC leg counts what it receives as a browser would:
packets, sequence gaps, and the frames its playout (40 ms deep, on its own
20 ms clock) had nothing to play for and would have concealed. The report
adds these per leg, whether sampled WebRTC legs hear the mix, and the
gateway's confgw_webrtc_* metrics and CPU time from its /metrics before and
after the window. --legs 0 runs WebRTC legs alone.

Hold mode (the default) places --legs calls at --rate per second, holds them
all for --hold and measures the media over that window: packets received per
leg, loss, received level, and whether sampled legs hear every talker but
themselves. With --cps it instead places calls at that rate for --duration,
holding each for --call-hold, and measures call set-up.

With --latency it instead times mouth to ear through the gateway both ways:
one phone leg and one WebRTC app participant join the room (keep it empty of
others), each sends a click (5 ms of 1 kHz after silence) every
--click-every, and the report gives the median and 95th percentile, over
--clicks clicks each way, of the arrival of the packet whose decoded audio
carries the onset at the other end minus the time the packet carrying it
left. That includes the gateway's jitter buffer or playout queue, the wait
for the room's 20 ms tick, the resampling filters (1.7 ms each way) and
Opus's 6.5 ms lookahead (the last two as far as they push the onset into
the next packet), but not a real endpoint's own capture and playout; see
internal/loadgen's latency.go.

It exits non-zero when a call or WebRTC leg fails or is dropped, loss (or
the WebRTC legs' concealed share) exceeds --max-loss, or a sampled leg
misses the mix or hears itself.`,
		Example: `  confgw loadtest --legs 500 --rate 100 --hold 60s
  confgw loadtest --cps 50 --duration 30s --call-hold 2s -o json
  confgw loadtest --legs 0 --webrtc 100 --token "$CONFGW_TOKEN" --hold 60s
  confgw loadtest --latency --token "$CONFGW_TOKEN" --clicks 40`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if output != "table" && output != "json" {
				return fmt.Errorf("--output %q: want table or json", output)
			}
			if cmd.Flags().Changed("cps") && latency {
				return errors.New("--cps and --latency: choose one")
			}
			if cmd.Flags().Changed("cps") {
				cfg.Mode = loadgen.ModeCPS
			}
			if latency {
				cfg.Mode = loadgen.ModeLatency
			}
			if cpuProfile != "" {
				stop, err := profileCPU(cpuProfile)
				if err != nil {
					return err
				}
				defer stop()
			}
			r, err := loadgen.Run(cmd.Context(), cfg)
			if err != nil {
				return fmt.Errorf("loadtest: %w", err)
			}
			if output == "json" {
				err = r.WriteJSON(cmd.OutOrStdout())
			} else {
				err = r.WriteTable(cmd.OutOrStdout())
			}
			if err != nil {
				return err
			}
			if !r.OK() {
				return fmt.Errorf("%w: %s", errLoadTestFailed, strings.Join(r.Problems, "; "))
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&cfg.Target, "target", cfg.Target, "the gateway's SIP host:port")
	f.StringVar(&cfg.To, "to", cfg.To, "user part to call: the conference's dial-in")
	f.StringVar(&cfg.Local, "local", cfg.Local, "IPv4 address to send from and advertise in SDP")
	f.StringVar(&cfg.Transport, "transport", cfg.Transport, "SIP transport: udp or tcp")
	f.IntVar(&cfg.Legs, "legs", cfg.Legs, "hold mode: calls to place and hold")
	f.Float64Var(&cfg.Rate, "rate", cfg.Rate, "hold mode: calls placed per second")
	f.DurationVar(&cfg.Hold, "hold", cfg.Hold, "hold mode: how long all calls are held and measured")
	f.Float64Var(&cfg.CPS, "cps", cfg.CPS, "calls per second; setting it selects call-setup mode")
	f.DurationVar(&cfg.Duration, "duration", cfg.Duration, "call-setup mode: how long calls are placed")
	f.DurationVar(&cfg.CallHold, "call-hold", cfg.CallHold, "call-setup mode: how long each call stays up")
	f.IntVar(&cfg.Talkers, "talkers", cfg.Talkers, fmt.Sprintf("phone legs sending a distinct loud tone (at most %d)", loadgen.MaxTalkers))
	f.IntVar(&cfg.Sample, "sample", cfg.Sample, "legs checked for hearing the mix, talkers included")
	f.DurationVar(&cfg.SetupTimeout, "setup-timeout", cfg.SetupTimeout, "a call not answered by then counts as a timeout")
	f.IntVar(&cfg.LegsPerSocket, "legs-per-socket", cfg.LegsPerSocket, "legs sharing one local RTP port")
	f.Float64Var(&cfg.MaxLoss, "max-loss", cfg.MaxLoss, "highest loss ratio (and WebRTC concealed ratio) that passes")
	f.IntVar(&cfg.WebRTC, "webrtc", cfg.WebRTC, "hold mode: app participants joining audio over WebRTC (Opus)")
	f.IntVar(&cfg.WebRTCTalkers, "webrtc-talkers", cfg.WebRTCTalkers, "WebRTC legs sending a distinct loud tone (with --talkers, at most 12 in all)")
	f.BoolVar(&cfg.WebRTCNoDTX, "webrtc-no-dtx", false, "quiet WebRTC legs send their faint tone 50 times a second even when the gateway asks for DTX, as a browser ignoring usedtx=1 would")
	f.StringVar(&cfg.Server, "server", cfg.Server, "address of the confgw API, for WebRTC legs and /metrics")
	f.StringVar(&cfg.Token, "token", cfg.Token, "admin key or a host's token, to add the WebRTC legs' participants")
	f.StringVar(&cfg.Conference, "conference", cfg.Conference, "conference the WebRTC legs join (default: --to)")
	f.BoolVar(&latency, "latency", false, "time clicks phone → app and app → phone through the gateway, one leg each")
	f.IntVar(&cfg.Clicks, "clicks", cfg.Clicks, "latency mode: clicks each way")
	f.DurationVar(&cfg.ClickEvery, "click-every", cfg.ClickEvery, "latency mode: time between clicks")
	f.StringVarP(&output, "output", "o", "table", "output format: table or json")
	f.StringVar(&cpuProfile, "cpuprofile", "", "write the generator's own CPU profile to this file")
	return cmd
}

// profileCPU profiles the generator, so that a run can show whether it or
// the gateway is the bottleneck.
func profileCPU(path string) (func(), error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("--cpuprofile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("--cpuprofile: %w", err)
	}
	return func() {
		pprof.StopCPUProfile()
		_ = f.Close()
	}, nil
}
