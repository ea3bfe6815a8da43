package main

import (
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// serveMetrics is the text of serve's /metrics.
func serveMetrics(t *testing.T, s *served) string {
	t.Helper()
	resp, err := http.Get(s.url + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(body)
}

func TestServeCapsSIPTCPConnectionsPerSourceAsItsFlagSaysAndCountsTheRefused(t *testing.T) {
	s := startServe(t, "--sip-tcp-max-conns-per-source", "1")
	first, err := net.DialTimeout("tcp", s.sip, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer first.Close()
	end := time.Now().Add(30 * time.Second)
	for !strings.Contains(serveMetrics(t, s), "confgw_sip_tcp_connections 1") {
		if time.Now().After(end) {
			t.Fatalf("the first connection never counted:\n%s", serveMetrics(t, s))
		}
		time.Sleep(10 * time.Millisecond)
	}
	second, err := net.DialTimeout("tcp", s.sip, 10*time.Second)
	if err == nil {
		_ = second.SetReadDeadline(time.Now().Add(30 * time.Second))
		_, err = second.Read(make([]byte, 1))
		second.Close()
	}
	var ne net.Error
	if err == nil || (errors.As(err, &ne) && ne.Timeout()) {
		t.Fatalf("a second connection from one source was kept: %v", err)
	}
	body := serveMetrics(t, s)
	for _, want := range []string{
		`confgw_sip_tcp_refused_total{reason="max_conns_per_source"} 1`,
		`confgw_sip_tcp_refused_total{reason="max_conns"} 0`,
		`confgw_sip_tcp_closed_total{reason="too_large"} 0`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	if err := s.stop(t); err != nil {
		t.Fatalf("serve did not stop cleanly: %v", err)
	}
}

func TestServeRefusesANegativeSIPTCPLimit(t *testing.T) {
	root := newRoot()
	root.SetArgs([]string{"serve", "--http", "127.0.0.1:0", "--sip", "127.0.0.1:0", "--webrtc-udp", "127.0.0.1:0",
		"--data-dir", t.TempDir(), "--sip-tcp-idle-timeout", "-1s"})
	var out strings.Builder
	root.SetOut(&out)
	root.SetErr(&out)
	err := root.Execute()
	if err == nil || !strings.Contains(err.Error(), "--sip-tcp-idle-timeout") {
		t.Fatalf("serve with a negative idle timeout: %v", err)
	}
}
