package sipptest

import (
	"testing"
)

// TestScenariosAgainstStandIns runs every scenario of testdata/sipp against
// a sipp standing in for the gateway, so a scenario that sipp cannot load,
// or that breaks the call flow, fails here before the gateway tests blame
// the gateway.
func TestScenariosAgainstStandIns(t *testing.T) {
	tests := []struct {
		scenario  string
		standIn   string
		args      []string
		server    bool // the scenario is the trunk, the stand-in calls it
		transport string
	}{
		{scenario: "dialin_hangup_by_api.xml", standIn: "gateway_hangs_up.xml", args: []string{"-d", "1000"}},
		{scenario: "dialin_hangup_by_api.xml", standIn: "gateway_hangs_up.xml", args: []string{"-d", "1000"}, transport: "t1"},
		{scenario: "dialin_caller_hangs_up.xml", standIn: "gateway_answers.xml"},
		{scenario: "unknown_conference.xml", standIn: "gateway_rejects_404.xml"},
		{scenario: "codec_mismatch.xml", standIn: "gateway_rejects_488.xml"},
		{scenario: "pin_dtmf.xml", standIn: "gateway_hangs_up.xml", args: []string{"-d", "1500"}},
		{scenario: "pin_wrong_x3.xml", standIn: "gateway_hangs_up.xml", args: []string{"-d", "1500"}},
		{scenario: "uas_answer.xml", standIn: "gateway_dials.xml", server: true},
		{scenario: "uas_answer.xml", standIn: "gateway_dials.xml", server: true, transport: "t1"},
		{scenario: "uas_busy.xml", standIn: "gateway_dials_busy.xml", server: true},
	}
	for _, tt := range tests {
		name := tt.scenario
		if tt.transport != "" {
			name += "/" + tt.transport
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			tr := tt.transport
			scenario := Options{Scenario: scenarios + tt.scenario, Service: "demo", Transport: tr}
			standIn := Options{Scenario: "testdata/" + tt.standIn, Service: "demo", ExtraArgs: tt.args, Transport: tr}
			var srv, cli *Sipp
			if tt.server {
				srv, cli = pair(t, scenario, standIn)
			} else {
				srv, cli = pair(t, standIn, scenario)
			}
			if err := cli.Wait(); err != nil {
				t.Errorf("client: %v", err)
			}
			if err := srv.Wait(); err != nil {
				t.Errorf("server: %v", err)
			}
		})
	}
}
