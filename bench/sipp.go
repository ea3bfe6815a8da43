package main

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"time"

	"github.com/confgw/confgw/internal/rtppcap"
)

// The caller scenario plays this file; it is written beside the scenario in
// the run's work directory, which is sipp's working directory.
const (
	callerScenario = "load_caller.xml"
	callerPcap     = "load_pcmu.pcap"
)

// writeCallerFiles puts the caller scenario and a capture of audio as long as
// the longest call into dir. The capture is one continuous stream (no
// sequence restart), so the gateway's lost and late counters measure the
// load, not the replay.
func writeCallerFiles(repo, dir string, longest time.Duration) error {
	xml, err := os.ReadFile(filepath.Join(repo, "testdata", "sipp", callerScenario))
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, callerScenario), xml, 0o644); err != nil {
		return err
	}
	f, err := os.Create(filepath.Join(dir, callerPcap))
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	if err := rtppcap.Write(w, rtppcap.Spec{Audio: longest + 2*time.Second}); err != nil {
		_ = f.Close()
		return err
	}
	if err := w.Flush(); err != nil {
		_ = f.Close()
		return err
	}
	return f.Close()
}

// sippCall is one sipp caller run: legs calls placed at rate per second,
// each held for hold then hung up.
type sippCall struct {
	target string
	legs   int
	rate   int
	hold   time.Duration
	// limit is how many calls may be up at once; legs when 0.
	limit int
}

// sippRun is a sipp process and the files it writes.
type sippRun struct {
	p *proc
	// media is the port sipp receives RTP on.
	media  int
	stat   string
	errLog string
	log    string
}

// startCaller runs sipp as the callers. Every caller uses the same SIP and
// media ports: the gateway answers each call on a port of its own and sends
// to where the audio comes from.
func startCaller(dir, name string, c sippCall, pp *portPicker) (*sippRun, error) {
	ports, err := pickN(pp, 3)
	if err != nil {
		return nil, err
	}
	limit := c.limit
	if limit == 0 {
		limit = c.legs
	}
	// The global timeout only catches a sipp that hangs: every call ends by
	// itself after ramp + hold.
	ramp := time.Duration(c.legs/max(c.rate, 1)+1) * time.Second
	timeout := int((ramp + c.hold + 60*time.Second).Seconds())
	r := &sippRun{
		media:  ports[1],
		stat:   filepath.Join(dir, name+".stat.csv"),
		errLog: filepath.Join(dir, name+".errors.log"),
		log:    filepath.Join(dir, name+".log"),
	}
	args := []string{"sipp", "-sf", callerScenario, c.target, "-s", "demo",
		"-i", "127.0.0.1", "-p", strconv.Itoa(ports[0]), "-mp", strconv.Itoa(ports[1]), "-cp", strconv.Itoa(ports[2]),
		"-r", strconv.Itoa(c.rate), "-l", strconv.Itoa(limit), "-m", strconv.Itoa(c.legs),
		"-d", strconv.FormatInt(c.hold.Milliseconds(), 10),
		"-nostdin", "-timeout", fmt.Sprintf("%ds", timeout), "-timeout_error",
		"-trace_err", "-error_file", r.errLog,
		"-trace_stat", "-stf", r.stat, "-fd", "1"}
	r.p, err = startProc(name, dir, r.log, "", args...)
	return r, err
}

// startEcho runs sipp's built-in answering scenario with -rtp_echo: it
// answers every call and sends each RTP packet straight back, which is the
// least any server that reads and writes every packet must do. It ends by
// itself after calls calls.
func startEcho(dir, name string, calls int, pp *portPicker) (*sippRun, string, error) {
	ports, err := pickN(pp, 3)
	if err != nil {
		return nil, "", err
	}
	r := &sippRun{
		stat:   filepath.Join(dir, name+".stat.csv"),
		errLog: filepath.Join(dir, name+".errors.log"),
		log:    filepath.Join(dir, name+".log"),
	}
	args := []string{"sipp", "-sn", "uas", "-rtp_echo",
		"-i", "127.0.0.1", "-p", strconv.Itoa(ports[0]), "-mp", strconv.Itoa(ports[1]), "-cp", strconv.Itoa(ports[2]),
		"-m", strconv.Itoa(calls), "-nostdin",
		"-trace_err", "-error_file", r.errLog,
		"-trace_stat", "-stf", r.stat, "-fd", "1"}
	r.p, err = startProc(name, dir, r.log, "", args...)
	return r, loopback(ports[0]), err
}

func pickN(pp *portPicker, n int) ([]int, error) {
	out := make([]int, n)
	for i := range out {
		p, err := pp.pick()
		if err != nil {
			return nil, err
		}
		out[i] = p
	}
	return out, nil
}

// currentCalls is how many calls sipp has up as of its last statistics row.
func (r *sippRun) currentCalls() (int, error) {
	st, err := readSippStats(r.stat)
	if err != nil {
		return 0, err
	}
	return st.last("CurrentCall")
}

// sippOutcome is what a finished sipp run counted.
type sippOutcome struct {
	Exit       int     `json:"exit"`
	Successful int     `json:"successful"`
	Failed     int     `json:"failed"`
	Created    int     `json:"created"`
	SetupMean  float64 `json:"setup_mean_ms"`
	// Broken is set when sipp did not run the test (bad arguments, a port it
	// could not bind, a fatal error), as opposed to counting failed calls.
	Broken string `json:"broken,omitempty"`
}

// outcome reads the final statistics; sipp's exit status is 0 when every
// call succeeded and 1 when some failed; anything else means the test
// itself went wrong.
func (r *sippRun) outcome() sippOutcome {
	o := sippOutcome{Exit: r.p.exitCode()}
	st, err := readSippStats(r.stat)
	if err != nil {
		o.Broken = fmt.Sprintf("sipp exit %d, no statistics: %v; %s", o.Exit, err, tail(r.log, 400))
		return o
	}
	o.Successful, _ = st.last("SuccessfulCall(C)")
	o.Failed, _ = st.last("FailedCall(C)")
	o.Created, _ = st.last("TotalCallCreated")
	if len(st.rows) > 0 {
		if s, err := st.seconds(-1, "ResponseTime1(C)"); err == nil {
			o.SetupMean = s * 1000
		}
	}
	if o.Exit != 0 && o.Exit != 1 {
		o.Broken = fmt.Sprintf("sipp exit %d: %s", o.Exit, tail(r.errLog, 400))
	}
	return o
}

// tail is the end of a log for an error message; sipp writes its errors
// without line breaks.
func tail(path string, n int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	if len(b) > n {
		b = b[len(b)-n:]
	}
	return string(b)
}

var sippVersionRE = regexp.MustCompile(`SIPp v?([0-9][^\s]*)`)

// sippVersion is "3.6.1-SCTP-PCAP-RTPSTREAM" or similar; "" when unknown.
func sippVersion() string {
	out, _ := exec.Command("sipp", "-v").CombinedOutput()
	m := sippVersionRE.FindSubmatch(out)
	if m == nil {
		return ""
	}
	return string(m[1])
}
